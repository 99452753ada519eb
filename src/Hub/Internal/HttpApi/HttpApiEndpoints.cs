using System.Text.Json;
using EvolutionHub.Internal.ApiReference;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EvolutionHub.Internal.HttpApi;

/// <summary>The HTTP API (README, HTTP API).</summary>
internal static class HttpApiEndpoints
{
    private const string EventsTag = "Events";
    private const string WebsocketTag = "Websocket settings";
    private const string InstancesTag = "Instances";

    public static void MapHttpApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhook", (HttpRequest request, WebhookIngest ingest) => ingest.AcceptAsync(request, slug: null))
            .DescribeWebhook("Evolution API's webhook");
        endpoints.MapPost("/webhook/{slug}", (HttpRequest request, string slug, WebhookIngest ingest) => ingest.AcceptAsync(request, slug))
            .DescribeWebhook("Evolution API's webhook, by event slug");

        endpoints.MapPost("/api/events", PublishEventsAsync).RequireApiKey(ApiKeyScope.Global)
            .WithTags(EventsTag)
            .WithSummary("Publish events")
            .WithDescription("One envelope or an array of them, published in order; one bad envelope publishes nothing.")
            .AcceptsJson<EventEnvelope>()
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                var json = operation.RequestBody!.Content!["application/json"];
                json.Schema = new OpenApiSchema { OneOf = [json.Schema!, new OpenApiSchema { Type = JsonSchemaType.Array, Items = json.Schema }] };
                return Task.CompletedTask;
            })
            .Produces<AcceptedEvents>(StatusCodes.Status202Accepted);

        endpoints.MapPost("/websocket/set/{instance}", SetWebsocketAsync).RequireApiKey(ApiKeyScope.RouteInstance)
            .WithTags(WebsocketTag)
            .WithSummary("Set an instance's event filters")
            .WithDescription("The global key or the instance's token. GROUPS_UPDATE is stored as GROUP_UPDATE; unknown filter names are a 400.")
            .AcceptsJson<WebsocketSettingsBody>()
            .Produces<WebsocketSettings>(StatusCodes.Status201Created);
        endpoints.MapGet("/websocket/find/{instance}", FindWebsocketAsync).RequireApiKey(ApiKeyScope.RouteInstance)
            .WithTags(WebsocketTag)
            .WithSummary("Read an instance's event filters")
            .WithDescription("The global key or the instance's token. An instance without settings reports enabled with every filter name.")
            .Produces<WebsocketSettings>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapPut("/api/instances/{instance}", PutInstanceAsync).RequireApiKey(ApiKeyScope.Global)
            .WithTags(InstancesTag)
            .WithSummary("Register or rotate an instance's token")
            .WithDescription("201 registers the token, 200 rotates it and disconnects the old token's clients.")
            .AcceptsJson<InstanceTokenBody>()
            .Produces<RegisteredInstance>(StatusCodes.Status201Created)
            .Produces<RegisteredInstance>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        endpoints.MapGet("/api/instances", ListInstancesAsync).RequireApiKey(ApiKeyScope.Global)
            .WithTags(InstancesTag)
            .WithSummary("List instances")
            .WithDescription("Registered instances and instances with live clients, with their connections; never tokens.")
            .Produces<InstanceConnections[]>();
        endpoints.MapDelete("/api/instances/{instance}", DeleteInstanceAsync).RequireApiKey(ApiKeyScope.Global)
            .WithTags(InstancesTag)
            .WithSummary("Revoke an instance's token")
            .WithDescription("Revokes the token and disconnects its clients; 404 when the instance has no token.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Authorized by the global key in the header, or by the body's apikey: checked by <see cref="WebhookIngest"/>, not a filter.</summary>
    private static RouteHandlerBuilder DescribeWebhook(this RouteHandlerBuilder builder, string summary) =>
        builder.WithMetadata(new ApiKeyMetadata(BodyKeyAccepted: true))
            .WithTags(EventsTag)
            .WithSummary(summary)
            .WithDescription("The global key in the apikey header, or the body's apikey equal to the global key or the instance's token "
                + "(an instance token in the header alone is a 403). The body's event wins over the slug.")
            .AcceptsJson<WebhookBody>()
            .Produces<AcceptedEvents>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> PublishEventsAsync(HttpRequest request, EventIngest ingest)
    {
        // Not disposed: the events refer to the document's data until they are delivered.
        var (document, error) = await JsonBody.ReadAsync(request);
        if (document is null)
        {
            return error!;
        }

        // The route's filter lets the global key alone through.
        var result = await ingest.PublishAsync(document.RootElement, new IngestRequest(Credential.Global, AcceptsArray: true), request.HttpContext.RequestAborted);
        return result.ToHttpResult();
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
