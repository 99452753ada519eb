using System.Text.Json;
using EvolutionHub.Bridge;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Hub.Tests;

public sealed class OpenApiDocumentTests
{
    private const string DocumentPath = "/openapi/v1.json";

    /// <summary>
    /// The document lists exactly the routes the hub maps: a route added without documentation, or a documented route
    /// removed, fails this test. Not API routes: the SignalR hub and Socket.IO (connections), the document and reference
    /// page themselves, and the dashboard's page and its files.
    /// </summary>
    [Theory]
    [InlineData("defaults")]
    [InlineData("Dashboard:Enabled=false")]
    [InlineData("Metrics:RequireKey=true")]
    [InlineData("Websocket:Enabled=false")]
    [InlineData("environment=Development")]
    public async Task Every_mapped_api_route_is_documented_and_nothing_documented_is_unmapped(string setting)
    {
        var settings = new Dictionary<string, string?>();
        if (setting.Split('=') is [var key, var value])
        {
            settings[key] = value;
        }

        await using var hub = await HubServer.StartAsync(settings);
        var document = await ReadDocumentAsync(hub);

        var mapped = MappedApiRoutes(hub);
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet();

        Assert.NotEmpty(mapped);
        Assert.True(mapped.Except(documented).Order().ToArray() is [], $"mapped but not documented: {string.Join(", ", mapped.Except(documented).Order())}");
        Assert.True(documented.Except(mapped).Order().ToArray() is [], $"documented but not mapped: {string.Join(", ", documented.Except(mapped).Order())}");
    }

    [Fact]
    public async Task The_apikey_header_is_the_security_scheme_of_the_keyed_routes()
    {
        await using var hub = await HubServer.StartAsync();
        var document = await ReadDocumentAsync(hub);

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apikey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("apikey", scheme.GetProperty("name").GetString());

        foreach (var (method, path) in new[]
        {
            ("post", "/api/events"), ("post", "/websocket/set/{instance}"), ("get", "/websocket/find/{instance}"), ("put", "/api/instances/{instance}"),
            ("get", "/api/instances"), ("delete", "/api/instances/{instance}"), ("get", "/api/dashboard/summary"), ("get", "/api/dashboard/events"),
        })
        {
            Assert.Equal([["apikey"]], SecurityOf(Operation(document, method, path)));
            Assert.All(new[] { "401", "403", "429" }, status => AssertProblem(Operation(document, method, path), status));
        }

        // The webhook also takes the key in its body: the header is one way, not a must.
        Assert.Equal([["apikey"], []], SecurityOf(Operation(document, "post", "/webhook/{slug}")));
        Assert.Equal([], SecurityOf(Operation(document, "get", "/health/ready")));
        Assert.Equal([], SecurityOf(Operation(document, "get", "/metrics")));
    }

    [Fact]
    public async Task With_Metrics_RequireKey_the_metrics_route_is_documented_as_keyed()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Metrics:RequireKey"] = "true" });
        var metrics = Operation(await ReadDocumentAsync(hub), "get", "/metrics");

        Assert.Equal([["apikey"]], SecurityOf(metrics));
        AssertProblem(metrics, "401");
        AssertProblem(metrics, "403");
    }

    [Fact]
    public async Task Post_api_events_documents_its_body_as_an_envelope_or_an_array_and_its_answers()
    {
        await using var hub = await HubServer.StartAsync();
        var document = await ReadDocumentAsync(hub);
        var publish = Operation(document, "post", "/api/events");

        var body = publish.GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        var oneOf = body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("oneOf");
        Assert.Equal("#/components/schemas/EventEnvelope", oneOf[0].GetProperty("$ref").GetString());
        Assert.Equal("array", oneOf[1].GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/EventEnvelope", oneOf[1].GetProperty("items").GetProperty("$ref").GetString());

        var envelope = document.GetProperty("components").GetProperty("schemas").GetProperty("EventEnvelope");
        Assert.Equal(["event", "instance"], envelope.GetProperty("required").EnumerateArray().Select(name => name.GetString()).Order());
        Assert.Equal(
            ["apikey", "data", "date_time", "event", "instance", "sender", "server_url"],
            envelope.GetProperty("properties").EnumerateObject().Select(property => property.Name).Order());

        var accepted = publish.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("#/components/schemas/AcceptedEvents", accepted.GetProperty("$ref").GetString());
        Assert.All(new[] { "400", "401", "403", "413", "429", "503" }, status => AssertProblem(publish, status));
    }

    [Fact]
    public async Task The_other_bodies_and_statuses_are_documented()
    {
        await using var hub = await HubServer.StartAsync();
        var document = await ReadDocumentAsync(hub);

        Assert.Equal("#/components/schemas/WebhookBody", BodySchemaReference(Operation(document, "post", "/webhook")));
        Assert.Equal("#/components/schemas/WebsocketSettingsBody", BodySchemaReference(Operation(document, "post", "/websocket/set/{instance}")));
        Assert.Equal("#/components/schemas/InstanceTokenBody", BodySchemaReference(Operation(document, "put", "/api/instances/{instance}")));

        Assert.Equal(["202", "400", "401", "403", "413", "429", "503"], Statuses(Operation(document, "post", "/webhook")));
        Assert.Equal(["201", "400", "401", "403", "413", "429", "503"], Statuses(Operation(document, "post", "/websocket/set/{instance}")));
        Assert.Equal(["200", "400", "401", "403", "429", "503"], Statuses(Operation(document, "get", "/websocket/find/{instance}")));
        Assert.Equal(["200", "201", "400", "401", "403", "409", "413", "429", "503"], Statuses(Operation(document, "put", "/api/instances/{instance}")));
        Assert.Equal(["200", "401", "403", "429", "503"], Statuses(Operation(document, "get", "/api/instances")));
        Assert.Equal(["204", "401", "403", "404", "429", "503"], Statuses(Operation(document, "delete", "/api/instances/{instance}")));
        Assert.Equal(["200", "503"], Statuses(Operation(document, "get", "/health/ready")));
        Assert.False(Operation(document, "get", "/api/instances").TryGetProperty("requestBody", out _));
    }

    [Fact]
    public async Task The_document_is_served_without_a_key_and_other_methods_or_documents_are_404_problems()
    {
        await using var hub = await HubServer.StartAsync();

        using var response = await hub.SendAsync(HttpMethod.Get, DocumentPath, apiKey: null);
        var document = await Expect.JsonAsync(response, 200);
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString());
        Assert.Equal("EvolutionHub HTTP API", document.GetProperty("info").GetProperty("title").GetString());

        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, DocumentPath, apiKey: null, json: "{}"), 404);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/openapi/v2.json", apiKey: null), 404);
    }

    [Fact]
    public async Task The_reference_page_is_not_served_outside_Development()
    {
        await using var hub = await HubServer.StartAsync();

        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/scalar", apiKey: null), 404);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/scalar/", apiKey: null), 404);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/scalar/scalar.js", apiKey: null), 404);
    }

    [Fact]
    public async Task In_Development_the_reference_page_renders_the_document_in_Chromium_from_the_hub_alone()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["environment"] = "Development" });
        using var page = await hub.SendAsync(HttpMethod.Get, "/scalar/", apiKey: null);
        await Expect.StatusAsync(page, 200);
        Assert.Equal("text/html", Expect.ContentType(page)?.MediaType);

        var result = await NodeScript.RunAsync("hub/scalar.mjs", TimeSpan.FromSeconds(90), hub.BaseUri.ToString().TrimEnd('/'), "Publish events");

        Assert.True(result.GetProperty("rendered").GetBoolean(), result.ToString());
        Assert.Contains($"{hub.BaseUri.ToString().TrimEnd('/')}{DocumentPath}", result.GetProperty("requests").EnumerateArray().Select(url => url.GetString()));
        Assert.Equal([], result.GetProperty("foreignRequests").EnumerateArray().Select(url => url.GetString()));
    }

    /// <summary>"METHOD /path" of every route endpoint the hub maps, but the ones that are not HTTP API routes.</summary>
    private static HashSet<string> MappedApiRoutes(HubServer hub)
    {
        var socketIoPath = "/" + hub.Services.GetRequiredService<IOptions<SocketIoOptions>>().Value.Path.Trim('/');
        string[] notApiRoutes = [EvolutionHubApplication.EventsHubPath, socketIoPath, "/openapi/", "/scalar", "/dashboard"];
        var routes = new HashSet<string>();
        foreach (var endpoint in hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (notApiRoutes.Any(prefix => path == prefix || path.StartsWith(prefix.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                continue;
            }

            // A route without method metadata (the health checks) answers any method: the document describes its GET.
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                routes.Add($"{method} {path}");
            }
        }

        return routes;
    }

    private static async Task<JsonElement> ReadDocumentAsync(HubServer hub)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, DocumentPath, apiKey: null);
        return await Expect.JsonAsync(response, 200);
    }

    private static JsonElement Operation(JsonElement document, string method, string path) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string[][] SecurityOf(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().Select(requirement => requirement.EnumerateObject().Select(scheme => scheme.Name).ToArray())]
            : [];

    private static string[] Statuses(JsonElement operation) =>
        [.. operation.GetProperty("responses").EnumerateObject().Select(response => response.Name).Order(StringComparer.Ordinal)];

    private static string? BodySchemaReference(JsonElement operation) =>
        operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static void AssertProblem(JsonElement operation, string status)
    {
        Assert.True(operation.GetProperty("responses").TryGetProperty(status, out var response), $"no {status} response");
        Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{status} is not a problem");
    }
}
