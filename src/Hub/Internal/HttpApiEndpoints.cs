using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>The HTTP API of CONTRACT §6.</summary>
public static class HttpApiEndpoints
{
    public static void MapHttpApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhook", (HttpRequest request, WebhookIngest ingest) => ingest.AcceptAsync(request, slug: null));
        endpoints.MapPost("/webhook/{slug}", (HttpRequest request, string slug, WebhookIngest ingest) => ingest.AcceptAsync(request, slug));
        endpoints.MapPost("/api/events", PublishEventsAsync).RequireApiKey(ApiKeyScope.Global);
        endpoints.MapPost("/websocket/set/{instance}", SetWebsocketAsync).RequireApiKey(ApiKeyScope.RouteInstance);
        endpoints.MapGet("/websocket/find/{instance}", FindWebsocketAsync).RequireApiKey(ApiKeyScope.RouteInstance);
        endpoints.MapPut("/api/instances/{instance}", PutInstanceAsync).RequireApiKey(ApiKeyScope.Global);
        endpoints.MapGet("/api/instances", ListInstancesAsync).RequireApiKey(ApiKeyScope.Global);
        endpoints.MapDelete("/api/instances/{instance}", DeleteInstanceAsync).RequireApiKey(ApiKeyScope.Global);
    }

    private static async Task<IResult> PublishEventsAsync(HttpRequest request, HubEventFactory factory, IEventDispatcher dispatcher)
    {
        // Not disposed: the events refer to the document's data until they are delivered.
        var (document, error) = await JsonBody.ReadAsync(request);
        if (document is null)
        {
            return error!;
        }

        var body = document.RootElement;
        JsonElement[] items = body.ValueKind == JsonValueKind.Array ? [.. body.EnumerateArray()] : [body];
        var accepted = new List<HubEvent>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            if (!IncomingEvent.TryRead(items[i], defaultEvent: null, out var incoming, out var problem))
            {
                return Problems.BadRequest(body.ValueKind == JsonValueKind.Array ? $"Envelope {i}: {problem} Nothing was published." : problem);
            }

            accepted.Add(factory.Create(incoming));
        }

        await dispatcher.AcceptAsync(accepted, request.HttpContext.RequestAborted);
        return Results.Json(new { accepted = accepted.Count }, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> SetWebsocketAsync(HttpRequest request, string instance, IInstanceStore store)
    {
        var (document, error) = await ReadInstanceRequestAsync(request, instance);
        if (document is null)
        {
            return error!;
        }

        using var body = document;
        if (!WebsocketSettingsRequest.TryParse(body.RootElement, out var settings, out var problem))
        {
            return Problems.BadRequest(problem);
        }

        await store.SetSettingsAsync(instance, settings, request.HttpContext.RequestAborted);
        return Results.Json(settings, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> FindWebsocketAsync(string instance, IInstanceStore store, CancellationToken cancellationToken) =>
        InstanceNames.IsValid(instance)
            ? Results.Json(await store.GetSettingsAsync(instance, cancellationToken) ?? WebsocketSettings.Default)
            : Problems.BadRequest("Invalid instance name.");

    private static async Task<IResult> PutInstanceAsync(
        HttpRequest request, string instance, IInstanceStore store, IConnectionRevoker revoker, CredentialResolver credentials, IOptions<ApiKeyOptions> keys)
    {
        var (document, error) = await ReadInstanceRequestAsync(request, instance);
        if (document is null)
        {
            return error!;
        }

        using var body = document;
        if (body.RootElement.ValueKind != JsonValueKind.Object
            || !body.RootElement.TryGetProperty("token", out var tokenElement)
            || tokenElement.ValueKind != JsonValueKind.String
            || tokenElement.GetString() is not { Length: > 0 } token)
        {
            return Problems.BadRequest("Expected {\"token\":\"…\"} with a non-empty token.");
        }

        if (token.Length < keys.Value.MinTokenLength)
        {
            return Problems.BadRequest($"An instance token must be at least {keys.Value.MinTokenLength} characters long (Authentication:MinTokenLength).");
        }

        if (SecretComparer.Equal(credentials.GlobalKey, token))
        {
            return Problems.BadRequest("An instance token must differ from the global key.");
        }

        var change = await store.SetTokenAsync(instance, token, request.HttpContext.RequestAborted);
        switch (change)
        {
            case TokenChange.Conflict:
                return Problems.Conflict("Another instance holds that token.");
            case TokenChange.Rotated:
                await revoker.RevokeAsync(instance, request.HttpContext.RequestAborted);
                break;
        }

        return Results.Json(new { name = instance }, statusCode: change == TokenChange.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListInstancesAsync(IInstanceStore store, IConnectionTracker tracker, CancellationToken cancellationToken)
    {
        var counts = await tracker.GetCountsAsync(cancellationToken);
        var names = (await store.GetRegisteredInstancesAsync(cancellationToken)).Union(counts.Keys, StringComparer.Ordinal);
        return Results.Json(names.Order(StringComparer.Ordinal).Select(name => new { name, connections = counts.GetValueOrDefault(name) }));
    }

    private static async Task<IResult> DeleteInstanceAsync(string instance, IInstanceStore store, IConnectionRevoker revoker, CancellationToken cancellationToken)
    {
        if (!await store.DeleteTokenAsync(instance, cancellationToken))
        {
            return Problems.NotFound($"Instance '{instance}' has no token.");
        }

        await revoker.RevokeAsync(instance, cancellationToken);
        return Results.NoContent();
    }

    private static async Task<(JsonDocument? Document, IResult? Error)> ReadInstanceRequestAsync(HttpRequest request, string instance) =>
        InstanceNames.IsValid(instance) ? await JsonBody.ReadAsync(request) : (null, Problems.BadRequest("Invalid instance name."));
}
