using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EvolutionHub.Internal.Instances;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace EvolutionHub.Internal.Inbound;

/// <summary>
/// Forwards a client event to Evolution API by its inbound route, with the instance's token (the global key when it has none).
/// Always answers with the result object of README, Inbound events, never throws for the client's sake.
/// </summary>
internal sealed partial class InboundForwarder(
    IHttpClientFactory httpClients,
    InboundRoutes routes,
    IInstanceStore store,
    IOptions<EvolutionOptions> evolution,
    IOptions<ApiKeyOptions> keys,
    ILogger<InboundForwarder> logger)
{
    public const string HttpClientName = "evolution";

    public async Task<IReadOnlyDictionary<string, object?>> ForwardAsync(string instance, string eventName, JsonElement? payload, CancellationToken cancellationToken)
    {
        if (!routes.TryGet(eventName, out var route))
        {
            return Failure($"No inbound route for event '{eventName}'.");
        }

        var baseUrl = evolution.Value.BaseUrl;
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return Failure("Inbound forwarding is off: Evolution:BaseUrl is not set.");
        }

        try
        {
            using var request = new HttpRequestMessage(route.Method, route.ToUri(baseUrl, instance));
            request.Headers.Add("apikey", await store.GetTokenAsync(instance, cancellationToken) ?? keys.Value.ApiKey);
            if (payload is { ValueKind: not JsonValueKind.Undefined } body)
            {
                request.Content = new StringContent(body.GetRawText(), Encoding.UTF8, "application/json");
            }

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var responseBody = await ReadBodyAsync(response.Content, cancellationToken);
            return new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["ok"] = response.IsSuccessStatusCode,
                ["status"] = (int)response.StatusCode,
                ["body"] = responseBody,
            };
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception's message names the upstream's host and port: the log may say so, the client must not learn it.
            Log.ForwardFailed(logger, eventName, instance, exception);
            return Failure(exception is OperationCanceledException or TimeoutRejectedException
                ? "Evolution API did not answer in time."
                : "Evolution API is unreachable.");
        }
    }

    public static IReadOnlyDictionary<string, object?> Failure(string error) =>
        new Dictionary<string, object?>(StringComparer.Ordinal) { ["ok"] = false, ["error"] = error };

    private static async Task<object?> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var text = await content.ReadAsStringAsync(cancellationToken);
        if (text.Length == 0)
        {
            return null;
        }

        if (IsJson(content.Headers.ContentType))
        {
            try
            {
                // As Evolution API wrote it: the JSON protocols pass the text on, MessagePack gets the same value.
                using var document = JsonDocument.Parse(text);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return text;
    }

    private static bool IsJson(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } mediaType
        && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
