using System.Text.Json;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

public sealed class HttpApiTests
{
    private static readonly Dictionary<string, string?> NoSettings = [];

    [Theory]
    [InlineData("GET", "/nothing-here")]
    [InlineData("POST", "/api/nothing")]
    [InlineData("GET", "/websocket/set")]
    [InlineData("POST", "/hubs/events/nothing")]
    [InlineData("GET", "/hubs/events/negotiate/more")]
    public async Task Unknown_routes_are_404_problems_before_any_key_check(string method, string path)
    {
        await using var hub = await HubServer.StartAsync();
        await Expect.ProblemAsync(await hub.SendAsync(new HttpMethod(method), path, apiKey: null), 404);
    }

    [Theory]
    [InlineData("GET", "/webhook", null, "POST")]
    [InlineData("PUT", "/webhook/messages-upsert", "wrong-key", "POST")]
    [InlineData("DELETE", "/api/events", null, "POST")]
    [InlineData("GET", "/api/events", HubServer.GlobalKey, "POST")]
    [InlineData("POST", "/api/instances/x", null, "PUT, DELETE")]
    [InlineData("PATCH", "/api/instances", "wrong-key", "GET")]
    [InlineData("GET", "/websocket/set/x", null, "POST")]
    [InlineData("POST", "/websocket/find/x", null, "GET")]
    [InlineData("POST", "/metrics", null, "GET")]
    [InlineData("GET", "/hubs/events/negotiate", null, "POST")]
    [InlineData("PUT", "/hubs/events/negotiate", "wrong-key", "POST")]
    [InlineData("PUT", "/hubs/events/negotiate", HubServer.GlobalKey, "POST")]
    public async Task A_known_path_with_another_method_is_an_unknown_route_404_naming_the_accepted_methods(string method, string path, string? key, string accepted)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Metrics:RequireKey"] = "true" });
        using var response = await hub.SendAsync(new HttpMethod(method), path, key, method is "GET" or "DELETE" ? null : "{}");
        await Expect.ProblemAsync(response, 404);
        var detail = (await Expect.JsonAsync(response, 404)).GetProperty("detail").GetString()!;
        foreach (var allowed in accepted.Split(", "))
        {
            Assert.Contains(allowed, detail, StringComparison.Ordinal);
        }

        Assert.Empty(response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Api_events_accepts_one_envelope_or_a_batch_with_the_global_key_only()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        const string one = """{"event":"CALL","instance":"shop","data":{}}""";
        const string two = """[{"event":"CALL","instance":"shop","data":{}},{"event":"CALL","instance":"shop"}]""";

        Assert.Equal(1, (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, one), 202)).GetProperty("accepted").GetInt32());
        Assert.Equal(2, (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, two), 202)).GetProperty("accepted").GetInt32());
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", null, one), 401);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", "unknown-key", one), 401);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", "shop-token-0123456789", one), 403);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, "{not json"), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, """{"instance":"shop"}"""), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, """{"event":"CALL","instance":"a/b"}"""), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, """{"event":"CALL","instance":"shop","sender":5}"""), 400);
    }

    [Fact]
    public async Task A_batch_with_one_bad_envelope_publishes_nothing()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "batch");

        var bad = """[{"event":"CALL","instance":"batch","data":{"n":1}},{"event":"CALL"}]""";
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, bad), 400);
        await hub.PublishAsync(new { @event = "CALL", instance = "batch", data = new { n = 2 } });

        Assert.Equal(2, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = "1024" });
        var big = JsonSerializer.Serialize(new { @event = "CALL", instance = "big", data = new { text = new string('x', 4096) } });
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, big), 413);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, """{"event":"CALL","instance":"big"}"""), 202);
    }

    [Theory]
    [InlineData("POST", "/webhook")]
    [InlineData("POST", "/websocket/set/big")]
    [InlineData("PUT", "/api/instances/big")]
    public async Task A_body_over_the_limit_is_413_on_every_route_and_applies_nothing(string method, string path)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = "1024" });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "big");

        // Each body would apply if it were small enough: an event, settings, a token.
        var padding = new string('x', 4096);
        var body = path switch
        {
            "/webhook" => JsonSerializer.Serialize(new { @event = "CALL", instance = "big", data = new { n = 1, padding } }),
            "/websocket/set/big" => JsonSerializer.Serialize(new { websocket = new { enabled = false, events = Array.Empty<string>() }, padding }),
            _ => JsonSerializer.Serialize(new { token = "big-token-0123456789", padding }),
        };
        await Expect.ProblemAsync(await hub.SendAsync(new HttpMethod(method), path, HubServer.GlobalKey, body), 413);

        Assert.Equal(33, (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/big", HubServer.GlobalKey), 200)).GetProperty("events").GetArrayLength());
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/big", "big-token-0123456789"), 401);
        Assert.Equal("""[{"name":"big","connections":1}]""", (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200)).GetRawText());
        await hub.PublishAsync(new { @event = "CALL", instance = "big", data = new { n = 2 } });
        Assert.Equal(2, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Webhook_accepts_Evolution_bodies_by_header_or_body_key_and_names_events_by_body_or_slug()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("evo", "evo-token-0123456789");
        await hub.RegisterAsync("other", "other-token-0123456789");
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "messages.upsert", "qrcode.updated", "connection.update");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "evo");

        var global = new { @event = "messages.upsert", instance = "evo", data = new { n = 1 }, destination = "https://x", date_time = "2026-11-27T10:00:00.000Z", sender = "s", server_url = "https://evo", apikey = "evo-token-0123456789" };
        await Expect.StatusAsync(await hub.PostAsync("/webhook", null, global), 202);
        var envelope = await events.NextEnvelopeAsync("messages.upsert");
        Assert.False(envelope.TryGetProperty("destination", out _));
        Assert.False(envelope.TryGetProperty("apikey", out _));

        await Expect.StatusAsync(await hub.PostAsync("/webhook/qrcode-updated", HubServer.GlobalKey, new { instance = "evo", data = new { n = 2 } }), 202);
        Assert.Equal(2, (await events.NextEnvelopeAsync("qrcode.updated")).GetProperty("data").GetProperty("n").GetInt32());

        // The body's event wins over the slug.
        await Expect.StatusAsync(await hub.PostAsync("/webhook/qrcode-updated", null, new { @event = "CONNECTION_UPDATE", instance = "evo", apikey = HubServer.GlobalKey }), 202);
        await events.NextEnvelopeAsync("connection.update");

        await Expect.ProblemAsync(await hub.PostAsync("/webhook", null, new { @event = "CALL", instance = "evo" }), 401);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", null, new { @event = "CALL", instance = "evo", apikey = "nope" }), 401);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", null, new { @event = "CALL", instance = "evo", apikey = "other-token-0123456789" }), 403);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", "other-token-0123456789", new { @event = "CALL", instance = "evo" }), 403);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", HubServer.GlobalKey, new { instance = "evo" }), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/webhook", HubServer.GlobalKey, "[1,2"), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/webhook", null, "[1,2"), 401);
    }

    [Fact]
    public async Task Webhook_takes_an_instance_token_from_the_body_only_and_a_header_token_alone_is_403()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("evo", "evo-token-0123456789");
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "evo");

        await Expect.ProblemAsync(await hub.PostAsync("/webhook", "evo-token-0123456789", new { @event = "CALL", instance = "evo", data = new { n = 1 } }), 403);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook/call", "evo-token-0123456789", new { instance = "evo", data = new { n = 2 } }), 403);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", "evo-token-0123456789", new { @event = "CALL", instance = "evo", data = new { n = 3 }, apikey = "wrong" }), 403);

        // The body rule: the instance's token (or the global key) as the body's apikey, whatever the header holds.
        await Expect.StatusAsync(await hub.PostAsync("/webhook", "evo-token-0123456789", new { @event = "CALL", instance = "evo", data = new { n = 4 }, apikey = "evo-token-0123456789" }), 202);
        await Expect.StatusAsync(await hub.PostAsync("/webhook", null, new { @event = "CALL", instance = "evo", data = new { n = 5 }, apikey = "evo-token-0123456789" }), 202);
        await Expect.StatusAsync(await hub.PostAsync("/webhook", "evo-token-0123456789", new { @event = "CALL", instance = "evo", data = new { n = 6 }, apikey = HubServer.GlobalKey }), 202);

        // The refused posts published nothing: the first event to arrive is the first accepted one.
        Assert.Equal(4, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(5, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(6, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Websocket_set_and_find_follow_Evolution_rules()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("ws", "ws-token-0123456789");
        await hub.RegisterAsync("other", "other-token-0123456789");

        var initial = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/ws", "ws-token-0123456789"), 200);
        Assert.True(initial.GetProperty("enabled").GetBoolean());
        Assert.Equal(33, initial.GetProperty("events").GetArrayLength());

        var set = await Expect.JsonAsync(await hub.PostAsync("/websocket/set/ws", "ws-token-0123456789", new { websocket = new { enabled = true, events = new[] { "MESSAGES_UPSERT", "GROUPS_UPDATE" } } }), 201);
        Assert.Equal("""{"enabled":true,"events":["MESSAGES_UPSERT","GROUP_UPDATE"]}""", set.GetRawText());
        Assert.Equal(set.GetRawText(), (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/ws", HubServer.GlobalKey), 200)).GetRawText());

        var all = await Expect.JsonAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = true, events = Array.Empty<string>() } }), 201);
        Assert.Equal(33, all.GetProperty("events").GetArrayLength());
        var omitted = await Expect.JsonAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = true } }), 201);
        Assert.Equal(33, omitted.GetProperty("events").GetArrayLength());
        var off = await Expect.JsonAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = false, events = new[] { "CALL" } } }), 201);
        Assert.Equal("""{"enabled":false,"events":[]}""", off.GetRawText());

        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "messages.upsert" } } }), 400);
        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "NOT_AN_EVENT" } } }), 400);
        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "messages_upsert" } } }), 400);
        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", HubServer.GlobalKey, new { enabled = true }), 400);
        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", "other-token-0123456789", new { websocket = new { enabled = true } }), 403);
        await Expect.ProblemAsync(await hub.PostAsync("/websocket/set/ws", null, new { websocket = new { enabled = true } }), 401);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/ws", "other-token-0123456789"), 403);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/ws", "bad"), 401);
    }

    [Fact]
    public async Task Instances_are_registered_rotated_listed_with_connection_counts_and_revoked()
    {
        await using var hub = await HubServer.StartAsync();
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/alpha", HubServer.GlobalKey, """{"token":"alpha-first-0123456789"}"""), 201);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/alpha", HubServer.GlobalKey, """{"token":"alpha-second-0123456789"}"""), 200);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/beta", HubServer.GlobalKey, """{"token":"alpha-second-0123456789"}"""), 409);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/beta", HubServer.GlobalKey, """{"token":""}"""), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/beta", HubServer.GlobalKey, """{"tok":"x"}"""), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/beta", "alpha-second-0123456789", """{"token":"b"}"""), 403);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/beta", null, """{"token":"b"}"""), 401);

        await using var first = hub.SignalR("alpha-second-0123456789");
        await using var second = hub.SignalR(HubServer.GlobalKey);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await first.InvokeAsync("Subscribe", "alpha");
        await second.InvokeAsync("Subscribe", "alpha");
        await second.InvokeAsync("Subscribe", "live-only");

        var list = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200);
        Assert.Equal("""[{"name":"alpha","connections":2},{"name":"live-only","connections":1}]""", list.GetRawText());
        Assert.DoesNotContain("alpha-second-0123456789", list.GetRawText());
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", "alpha-second-0123456789"), 403);

        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Delete, "/api/instances/alpha", HubServer.GlobalKey), 204);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Delete, "/api/instances/alpha", HubServer.GlobalKey), 404);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/alpha", "alpha-second-0123456789"), 401);
        await Eventually.UntilAsync(async () => first.State == HubConnectionState.Disconnected, TimeSpan.FromSeconds(5), "the revoked token's connection to close");
        Assert.Equal(HubConnectionState.Connected, second.State);
    }

    public static TheoryData<string, string, string?, string, int> RefusedKeys => new()
    {
        { "GET", "/api/instances", null, "missing", 401 },
        { "GET", "/api/instances", null, "unknown", 401 },
        { "GET", "/api/instances", null, "instance token", 403 },
        { "DELETE", "/api/instances/shop", null, "missing", 401 },
        { "DELETE", "/api/instances/shop", null, "unknown", 401 },
        { "DELETE", "/api/instances/shop", null, "instance token", 403 },
        { "POST", "/websocket/set/shop", """{"websocket":{"enabled":false}}""", "unknown", 401 },
        { "PUT", "/api/instances/shop", """{"token":"taken-over"}""", "unknown", 401 },
        { "GET", "/websocket/find/shop", null, "missing", 401 },
    };

    /// <summary>README "HTTP API": 401 for a missing or unknown key, 403 for a valid key without the scope; the request applies nothing.</summary>
    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task A_missing_or_unknown_key_is_401_and_an_instance_token_on_a_global_route_403(string method, string path, string? body, string key, int status)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        var apiKey = key switch
        {
            "missing" => null,
            "unknown" => "unknown-key",
            _ => "shop-token-0123456789",
        };

        await Expect.ProblemAsync(await hub.SendAsync(new HttpMethod(method), path, apiKey, body), status);

        // Nothing changed: the token still opens its instance, whose settings are still the default, and it is still listed.
        var settings = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/shop", "shop-token-0123456789"), 200);
        Assert.True(settings.GetProperty("enabled").GetBoolean(), settings.GetRawText());
        Assert.Equal(33, settings.GetProperty("events").GetArrayLength());
        Assert.Equal("""[{"name":"shop","connections":0}]""", (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200)).GetRawText());
    }

    [Theory]
    [InlineData("https://app.example", true)]
    [InlineData("https://evil.example", false)]
    public async Task Cors_on_api_and_negotiate_responses_echoes_an_allowed_origin_with_credentials_and_gives_others_no_cors_headers(string origin, bool allowed)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Cors:Origin"] = "https://app.example" });
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/instances"), (HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1") })
        {
            using var response = await hub.SendAsync(method, path, HubServer.GlobalKey, configure: request => request.Headers.Add("Origin", origin));
            await Expect.StatusAsync(response, 200);
            var cors = response.Headers.Concat(response.Content.Headers)
                .Where(header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(header => header.Key, header => string.Join(", ", header.Value), StringComparer.OrdinalIgnoreCase);
            if (allowed)
            {
                Assert.True(cors.GetValueOrDefault("Access-Control-Allow-Origin") == origin, $"{method} {path}: {string.Join("; ", cors)}");
                Assert.True(cors.GetValueOrDefault("Access-Control-Allow-Credentials") == "true", $"{method} {path}: {string.Join("; ", cors)}");
            }
            else
            {
                Assert.True(cors.Count == 0, $"{method} {path}: {string.Join("; ", cors)}");
            }
        }
    }

    [Fact]
    public async Task Health_and_metrics_answer_anyone_unless_metrics_require_the_key()
    {
        await using var hub = await HubServer.StartAsync();
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/health/live", null), 200);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/health/ready", null), 200);
        await hub.PublishAsync(new { @event = "CALL", instance = "m", data = new { } });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();

        // The client's start completes with the handshake; the hub counts the connection just after, in OnConnectedAsync.
        using (var response = await hub.SendAsync(HttpMethod.Get, "/metrics", null))
        {
            await Expect.StatusAsync(response, 200);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        }

        PrometheusScrape scrape = null!;
        await Eventually.UntilAsync(async () =>
        {
            scrape = await PrometheusScrape.ReadAsync(hub.Http);
            return scrape.Value("evolutionhub_connections") == 1 && scrape.Value("evolutionhub_events_out_total") == 1;
        }, TimeSpan.FromSeconds(5), "the metrics to count the SignalR connection and the event's send");
        Assert.Equal(1, scrape.Value("evolutionhub_events_in_total"));
        Assert.Contains("# TYPE evolutionhub_fanout_latency_seconds histogram", scrape.Text);

        await using var locked = await HubServer.StartAsync(new Dictionary<string, string?> { ["Metrics:RequireKey"] = "true" });
        await locked.RegisterAsync("m", "m-token-0123456789");
        await Expect.ProblemAsync(await locked.SendAsync(HttpMethod.Get, "/metrics", null), 401);
        await Expect.ProblemAsync(await locked.SendAsync(HttpMethod.Get, "/metrics", "wrong-key"), 401);
        await Expect.ProblemAsync(await locked.SendAsync(HttpMethod.Get, "/metrics", "m-token-0123456789"), 403);
        await Expect.StatusAsync(await locked.SendAsync(HttpMethod.Get, "/metrics", HubServer.GlobalKey), 200);
    }

    [Fact]
    public async Task Instance_connections_count_socket_io_namespaces_and_SignalR_subscriptions_together_and_fall_back_to_0()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("counted", "counted-token-0123456789");
        async Task<string> ListAsync() => (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200)).GetRawText();
        Assert.Equal("""[{"name":"counted","connections":0}]""", await ListAsync());

        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/counted";
        foreach (var (name, key) in new[] { ("by-token-0123456789", "counted-token-0123456789"), ("by-global", HubServer.GlobalKey) })
        {
            var connected = await driver.ConnectAsync(name, url, new { transports = new[] { "websocket" }, auth = new { apikey = key }, forceNew = true });
            Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
        }

        await using var subscriber = hub.SignalR("counted-token-0123456789");
        await subscriber.StartAsync();
        await subscriber.InvokeAsync("Subscribe", "counted");

        // The namespaces are counted as they connect, the subscription before Subscribe returns: 2 + 1.
        Assert.Equal("""[{"name":"counted","connections":3}]""", await ListAsync());

        await driver.DisconnectAsync("by-token-0123456789");
        await driver.DisconnectAsync("by-global");
        await subscriber.StopAsync();

        // The server learns of the client-side closes on its own time: nothing raises an event here to await.
        await Eventually.UntilAsync(
            async () => await ListAsync() == """[{"name":"counted","connections":0}]""", TimeSpan.FromSeconds(5), "the connection count to fall back to 0");
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Cors_preflight_for_instance_routes_echoes_the_allowed_origin_with_credentials(string method)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Cors:Origin"] = "https://app.example" });
        foreach (var (origin, allowed) in new[] { ("https://app.example", true), ("https://evil.example", false) })
        {
            using var response = await hub.SendAsync(HttpMethod.Options, "/api/instances/shop", null, configure: request =>
            {
                request.Headers.Add("Origin", origin);
                request.Headers.Add("Access-Control-Request-Method", method);
                request.Headers.Add("Access-Control-Request-Headers", "apikey,content-type");
            });

            Assert.True(response.IsSuccessStatusCode, $"{origin}: preflight answered {(int)response.StatusCode}");
            var echoed = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
            Assert.True((allowed ? origin : null) == echoed, $"{origin}: Access-Control-Allow-Origin was '{echoed}'");
            if (allowed)
            {
                Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
                Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
                Assert.Contains("apikey", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Theory]
    [InlineData("*", "https://any.example", true)]
    [InlineData("https://app.example, https://admin.example", "https://admin.example", true)]
    [InlineData("https://app.example", "https://evil.example", false)]
    public async Task Cors_echoes_allowed_origins_with_credentials_on_every_surface(string configured, string origin, bool allowed)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Cors:Origin"] = configured });
        var surfaces = new[]
        {
            (HttpMethod.Options, "/api/events", true),
            (HttpMethod.Options, "/hubs/events/negotiate?negotiateVersion=1", true),
            (HttpMethod.Options, "/socket.io/?EIO=4&transport=polling", true),
            (HttpMethod.Get, "/socket.io/?EIO=4&transport=polling", false),
            (HttpMethod.Get, "/health/live", false),
        };
        foreach (var (method, path, preflight) in surfaces)
        {
            using var response = await hub.SendAsync(method, path, null, configure: request =>
            {
                request.Headers.Add("Origin", origin);
                if (preflight)
                {
                    request.Headers.Add("Access-Control-Request-Method", "POST");
                    request.Headers.Add("Access-Control-Request-Headers", "apikey,content-type");
                }
            });
            var echoed = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
            Assert.True((allowed ? origin : null) == echoed, $"{method} {path}: Access-Control-Allow-Origin was '{echoed}'");
            if (allowed)
            {
                Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
            }
        }
    }

    [Fact]
    public async Task In_development_any_origin_is_allowed_by_default()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["environment"] = "Development" });
        using var response = await hub.SendAsync(HttpMethod.Get, "/health/live", null, configure: r => r.Headers.Add("Origin", "https://app.example"));
        Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task No_cors_origin_outside_development_sends_no_cors_headers()
    {
        await using var hub = await HubServer.StartAsync();
        using var response = await hub.SendAsync(HttpMethod.Get, "/health/live", null, configure: r => r.Headers.Add("Origin", "https://app.example"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
