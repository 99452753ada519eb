using System.Text.Json;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>Unchanged Socket.IO and @microsoft/signalr JavaScript clients against the hub, through Node.js.</summary>
public sealed class JavaScriptClientTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(40);

    private static readonly object[] TwoEvents =
    [
        new { @event = "CONNECTION_UPDATE", instance = "js", data = new { state = "open" }, sender = "s", server_url = "https://evo", date_time = "2026-11-27T10:00:00.000Z" },
        new { @event = "messages-upsert", instance = "js", data = new { n = 2 } },
    ];

    private static Task<JsonElement> ListenAsync(HubServer hub, object config) =>
        NodeScript.RunAsync("hub/socketio-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(config));

    private static object Publish(HubServer hub, object body) => new { url = hub.Url("/api/events").ToString(), apikey = HubServer.GlobalKey, body };

    private static string[] Names(JsonElement result) => [.. result.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()!)];

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    [InlineData(null)]
    public async Task SocketIo_instance_namespace_receives_the_envelope_on_every_transport(string? transport)
    {
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = HubServer.GlobalKey },
            transports = transport is null ? null : new[] { transport },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 2,
            publish = Publish(hub, TwoEvents),
        });

        Assert.Equal(["connection.update", "messages.upsert"], Names(result));
        var envelope = result.GetProperty("events")[0].GetProperty("envelope");
        Assert.Equal(
            """{"event":"connection.update","instance":"js","data":{"state":"open"},"server_url":"https://evo","date_time":"2026-11-27T10:00:00.000Z","sender":"s"}""",
            envelope.GetRawText());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData(null)]
    public async Task SocketIo_v2_client_receives_events_over_engine_io_v3(string? transport)
    {
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            client = "v2",
            query = new { apikey = HubServer.GlobalKey },
            transports = transport is null ? null : new[] { transport },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 2,
            publish = Publish(hub, TwoEvents),
        });

        Assert.Equal(["connection.update", "messages.upsert"], Names(result));
    }

    public static TheoryData<string, string> AcceptedCredentials => new()
    {
        { "auth", "global" },
        { "auth", "token" },
        { "query", "global" },
        { "query", "token" },
        { "header", "token" },
    };

    [Theory]
    [MemberData(nameof(AcceptedCredentials))]
    public async Task SocketIo_accepts_the_key_from_auth_query_or_header(string where, string which)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("js", "js-token-0123456789");
        var key = which == "global" ? HubServer.GlobalKey : "js-token-0123456789";
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = where == "auth" ? new { apikey = key } : null,
            query = where == "query" ? new { apikey = key } : null,
            extraHeaders = where == "header" ? new { apikey = key } : null,
            transports = where == "header" ? new[] { "polling" } : new[] { "websocket" },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 2,
            publish = Publish(hub, TwoEvents),
        });

        Assert.Equal(["connection.update", "messages.upsert"], Names(result));
    }

    [Theory]
    [InlineData("/js", null)]
    [InlineData("/js", "wrong-key")]
    [InlineData("/js", "other-token-0123456789")]
    [InlineData("/", "js-token-0123456789")]
    [InlineData("/", null)]
    public async Task SocketIo_refuses_other_credentials_with_Unauthorized(string @namespace, string? key)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("js", "js-token-0123456789");
        await hub.RegisterAsync("other", "other-token-0123456789");
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace,
            auth = key is null ? null : new { apikey = key },
            transports = new[] { "websocket" },
            expect = 0,
        });

        Assert.Equal("Unauthorized", result.GetProperty("connectError").GetString());
    }

    [Fact]
    public async Task SocketIo_first_credential_found_wins_over_a_valid_later_one()
    {
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = "wrong-key" },
            query = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            expect = 0,
        });

        Assert.Equal("Unauthorized", result.GetProperty("connectError").GetString());
    }

    [Fact]
    public async Task SocketIo_allowed_host_connects_without_a_key_and_counts_as_a_connection()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:AllowedHosts"] = "127.0.0.1" });
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/counted",
            transports = new[] { "websocket" },
            expect = 0,
            probe = new { url = hub.Url("/api/instances").ToString(), apikey = HubServer.GlobalKey },
        });

        Assert.Equal("""[{"name":"counted","connections":1}]""", result.GetProperty("probe").GetProperty("body").GetRawText());
    }

    [Fact]
    public async Task SocketIo_filters_apply_to_the_instance_namespace()
    {
        await using var hub = await HubServer.StartAsync();
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/js", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "MESSAGES_UPSERT" } } }), 201);
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 1,
            publish = Publish(hub, TwoEvents),
        });

        Assert.Equal(["messages.upsert"], Names(result));
    }

    [Fact]
    public async Task SocketIo_global_namespace_receives_every_instance_when_global_events_are_on()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:GlobalEvents"] = "true" });
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/js", HubServer.GlobalKey, new { websocket = new { enabled = false } }), 201);
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/",
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 2,
            publish = Publish(hub, TwoEvents),
        });

        Assert.Equal(["connection.update", "messages.upsert"], Names(result));
    }

    [Fact]
    public async Task SocketIo_global_namespace_connects_and_receives_nothing_when_global_events_are_off()
    {
        await using var hub = await HubServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/');
        var global = await driver.ConnectAsync("global", url + "/", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(global!["connected"]!.GetValue<bool>(), global.ToJsonString());
        var instance = await driver.ConnectAsync("instance", url + "/quiet", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, forceNew = true });
        Assert.True(instance!["connected"]!.GetValue<bool>(), instance.ToJsonString());

        await hub.PublishAsync(new { @event = "CALL", instance = "quiet", data = new { n = 1 } });
        await hub.PublishAsync(new { @event = "CALL", instance = "quiet", data = new { n = 2 } });
        await driver.NextManyAsync("instance", "call", 2);

        // Nothing to await for an event that must not come: the instance's own client has both, the global one gets none.
        await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync("global", "call", timeoutMs: 500));
    }

    [Fact]
    public async Task SocketIo_emit_goes_to_the_inbound_route_and_the_ack_gets_the_result()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = upstream.BaseUrl,
            ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}",
        });
        await hub.RegisterAsync("js", "js-token-0123456789");
        var result = await NodeScript.RunAsync("hub/socketio-emit.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = "js-token-0123456789" },
            @event = "send_message",
            payload = new { number = "5511999999999", text = "hello" },
        }));

        Assert.Equal("""[{"ok":true,"status":201,"body":{"key":{"id":"ABC123"},"status":"PENDING"}}]""", result.GetProperty("ack").GetRawText());
        Assert.True(result.GetProperty("stillConnected").GetBoolean());
        var request = upstream.Requests.First();
        Assert.Equal(("POST", "/message/sendText/js", "js-token-0123456789"), (request.Method, request.Path, request.ApiKey));
        Assert.Equal("""{"number":"5511999999999","text":"hello"}""", request.Body);
    }

    [Theory]
    [InlineData("no_such_route", "\"text\"")]
    [InlineData("send_message", "null")]
    public async Task SocketIo_emit_without_a_route_or_upstream_gets_an_error_result_and_stays_connected(string eventName, string payloadJson)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}" });
        var result = await NodeScript.RunAsync("hub/socketio-emit.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = HubServer.GlobalKey },
            @event = eventName,
            payload = JsonDocument.Parse(payloadJson).RootElement,
        }));

        var ack = result.GetProperty("ack")[0];
        Assert.False(ack.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.String, ack.GetProperty("error").ValueKind);
        Assert.True(result.GetProperty("stillConnected").GetBoolean());
    }

    [Theory]
    [InlineData("WebSockets", false)]
    [InlineData("WebSockets", true)]
    [InlineData("ServerSentEvents", false)]
    [InlineData("LongPolling", false)]
    [InlineData("LongPolling", true)]
    public async Task Microsoft_signalr_js_client_receives_events(string transport, bool messagePack)
    {
        await using var hub = await HubServer.StartAsync();
        var result = await NodeScript.RunAsync("hub/signalr-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            accessToken = HubServer.GlobalKey,
            transport,
            messagePack,
            subscribe = new[] { "js" },
            events = new[] { "connection.update", "messages.upsert" },
            expect = 2,
            publish = Publish(hub, TwoEvents),
        }));

        Assert.Equal(["connection.update", "messages.upsert"], Names(result));
        Assert.Equal(
            """{"event":"connection.update","instance":"js","data":{"state":"open"},"server_url":"https://evo","date_time":"2026-11-27T10:00:00.000Z","sender":"s"}""",
            result.GetProperty("events")[0].GetProperty("envelope").GetRawText());
    }

    [Fact]
    public async Task Microsoft_signalr_js_client_without_a_key_cannot_start()
    {
        await using var hub = await HubServer.StartAsync();
        var result = await NodeScript.RunAsync("hub/signalr-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            transport = "WebSockets",
            expect = 1,
            publish = Publish(hub, TwoEvents),
        }));

        Assert.Contains("401", result.GetProperty("startError").GetString());
    }

    [Theory]
    [InlineData("PUT", "rotate")]
    [InlineData("DELETE", "revoke")]
    public async Task SocketIo_sockets_of_a_rotated_or_revoked_token_are_disconnected(string method, string what)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("js", "js-token-0123456789");
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = "js-token-0123456789" },
            transports = new[] { "websocket" },
            expectDisconnect = true,
            probe = new { url = hub.Url("/api/instances/js").ToString(), apikey = HubServer.GlobalKey, method, body = method == "PUT" ? new { token = "js-token-2-0123456789" } : null },
        });

        Assert.True(result.GetProperty("probe").GetProperty("status").GetInt32() is 200 or 204, $"{what} answered {result.GetProperty("probe")}");
        Assert.Equal("io server disconnect", result.GetProperty("disconnected").GetString());
    }

    [Fact]
    public async Task SocketIo_an_invalid_namespace_is_refused()
    {
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/" + new string('n', 129),
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            expect = 0,
        });

        // The global key opens every valid namespace: the name alone is refused, with Socket.IO's own message for it.
        Assert.True(result.TryGetProperty("connectError", out var error), result.GetRawText());
        Assert.Equal("Invalid namespace", error.GetString());
    }

    [Fact]
    public async Task SocketIo_emit_with_a_binary_payload_gets_a_result_and_stays_connected()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = upstream.BaseUrl,
            ["Inbound:Routes:send_media"] = "POST /message/sendMedia/{instance}",
        });
        var result = await NodeScript.RunAsync("hub/socketio-emit.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = HubServer.GlobalKey },
            @event = "send_media",
            binaryPayload = true,
        }));

        Assert.Equal(JsonValueKind.True, result.GetProperty("ack")[0].GetProperty("ok").ValueKind);
        Assert.True(result.GetProperty("stillConnected").GetBoolean());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task SocketIo_namespaces_multiplexed_on_one_connection_each_get_their_instance(string transport)
    {
        await using var hub = await HubServer.StartAsync();
        var result = await NodeScript.RunAsync("hub/socketio-multiplex.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            namespaces = new[] { "/left", "/right" },
            apikey = HubServer.GlobalKey,
            transports = new[] { transport },
            expect = 2,
            publish = Publish(hub, new object[]
            {
                new { @event = "CALL", instance = "left", data = new { } },
                new { @event = "CALL", instance = "right", data = new { } },
            }),
        }));

        Assert.True(result.GetProperty("sameEngine").GetBoolean());
        Assert.Equal(
            ["/left:left", "/right:right"],
            result.GetProperty("events").EnumerateArray().Select(e => $"{e.GetProperty("namespace").GetString()}:{e.GetProperty("instance").GetString()}").Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task SocketIo_events_of_one_instance_arrive_in_the_order_accepted(string transport)
    {
        const int count = 200;
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(hub, new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/ordered",
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { transport },
            events = new[] { "messages.upsert" },
            expect = count,
            publish = Publish(hub, Enumerable.Range(0, count).Select(i => (object)new { @event = "MESSAGES_UPSERT", instance = "ordered", data = new { seq = i } }).ToArray()),
        });

        Assert.Equal(
            Enumerable.Range(0, count),
            result.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("envelope").GetProperty("data").GetProperty("seq").GetInt32()));
    }

    [Theory]
    [InlineData("Publish", """{"event":"CALL","instance":"js"}""")]
    [InlineData("subscribe", "\"other\"")]
    public async Task SocketIo_events_named_like_hub_methods_are_inbound_events_not_hub_calls(string eventName, string payloadJson)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("js", "js-token-0123456789");
        var result = await NodeScript.RunAsync("hub/socketio-emit.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/js",
            auth = new { apikey = "js-token-0123456789" },
            @event = eventName,
            payload = JsonDocument.Parse(payloadJson).RootElement,
        }));

        var ack = result.GetProperty("ack").GetRawText();
        Assert.Contains($"No inbound route for event '{eventName}'", ack, StringComparison.Ordinal);
        Assert.DoesNotContain("Unauthorized", ack, StringComparison.Ordinal);
        Assert.True(result.GetProperty("stillConnected").GetBoolean());
    }
}
