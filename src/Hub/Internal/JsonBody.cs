using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>
/// Reads a request body as JSON, parsed once from a buffer sized by the body: 413 for a body over
/// <c>Http:MaxRequestBodyBytes</c> (before a byte is read when <c>Content-Length</c> says so), 400 for a body that is not JSON.
/// </summary>
public static class JsonBody
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
    public static async Task<(RequestBody? Body, IResult? Error)> ReadBytesAsync(HttpRequest request, UnauthenticatedBodyBudget? budget)
    {
        var maxBytes = request.HttpContext.RequestServices.GetRequiredService<IOptions<HttpLimitsOptions>>().Value.MaxRequestBodyBytes;
        try
        {
            var (body, outcome) = await RequestBody.ReadAsync(request.Body, request.ContentLength, maxBytes, budget, request.HttpContext.RequestAborted);
            return outcome switch
            {
                BodyOutcome.Read => (body, null),
                BodyOutcome.TooLarge => (null, Problems.PayloadTooLarge()),
                _ => (null, Problems.Busy(request.HttpContext)),
            };
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.PayloadTooLarge());
        }
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
