using System.Buffers;
using System.Text.Json;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.HttpApi;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// Reads a request body as JSON, parsed once from a buffer sized by the body: 413 for a body over
/// <c>Http:MaxRequestBodyBytes</c> (before a byte is read when <c>Content-Length</c> says so), 400 for a body that is not JSON.
/// </summary>
internal static class JsonBody
{
    /// <summary>
    /// The body's document. Dispose it once read; events taken from it refer to it instead of copies, so ingest keeps it
    /// (its buffer goes to the garbage collector with the last event).
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadAsync(HttpRequest request)
    {
        var (body, error) = await ReadBytesAsync(request, budget: null);
        if (body is null)
        {
            return (null, error);
        }

        using (body)
        {
            return TryParse(body, out var document) ? (document, null) : (null, NotJson());
        }
    }

    /// <summary>The body's bytes, held against <paramref name="budget"/> when the sender is not authenticated yet.</summary>
    private const long RefusedBodyDrainBytes = 64 * 1024;

    public static async Task<(RequestBody? Body, IResult? Error)> ReadBytesAsync(HttpRequest request, UnauthenticatedBodyBudget? budget)
    {
        var maxBytes = request.HttpContext.RequestServices.GetRequiredService<IOptions<HttpLimitsOptions>>().Value.MaxRequestBodyBytes;
        try
        {
            var (body, outcome) = await RequestBody.ReadAsync(request.Body, request.ContentLength, maxBytes, budget, request.HttpContext.RequestAborted);
            return outcome switch
            {
                BodyOutcome.Read => (body, null),
                BodyOutcome.TooLarge => (null, await RefuseTooLargeAsync(request, maxBytes)),
                _ => (null, Problems.Busy(request.HttpContext)),
            };
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.PayloadTooLarge());
        }
    }

    /// <summary>
    /// A body refused for its declared length is read to its end, and thrown away, when it is at most
    /// <see cref="RefusedBodyDrainBytes"/> over the limit: a client still writing it would otherwise find its connection
    /// reset before it reads the 413. A larger one is not read at all.
    /// </summary>
    private static async Task<IResult> RefuseTooLargeAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength is { } length && length - maxBytes <= RefusedBodyDrainBytes
            && request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = length;
            var discard = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                while (await request.Body.ReadAsync(discard, request.HttpContext.RequestAborted) > 0)
                {
                }
            }
            catch (Exception exception) when (exception is IOException or BadHttpRequestException or OperationCanceledException)
            {
                // The client went away or broke off: the 413 is all there is to say either way.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(discard);
            }
        }

        return Problems.PayloadTooLarge();
    }

    public static bool TryParse(RequestBody body, out JsonDocument? document)
    {
        try
        {
            document = body.Parse();
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    public static IResult NotJson() => Problems.BadRequest("The body is not valid JSON.");
}
