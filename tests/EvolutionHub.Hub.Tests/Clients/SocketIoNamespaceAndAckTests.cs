using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>README "Concepts" and "Clients" › "Socket.IO" (namespaces, credentials, revocation, emit acks) with real socket.io-client 4 and 2.</summary>
public sealed class SocketIoNamespaceAndAckTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(40);

    private static Task<JsonElement> ListenAsync(object config) =>
        NodeScript.RunAsync("hub/socketio-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(config));

    private static object Publish(HubServer hub, string instance, int n = 1) => new
    {
        url = hub.Url("/api/events").ToString(),
        apikey = HubServer.GlobalKey,
        body = new { @event = "CALL", instance, data = new { n } },
    };

    private static string Url(HubServer hub) => hub.BaseUri.ToString().TrimEnd('/');

    public static TheoryData<string> ValidNames => new()
    {
        new string('n', 128),
        "loja-são-paulo-日本-🙂",
    };

    [Theory]
    [MemberData(nameof(ValidNames))]
    public async Task Any_valid_instance_name_is_a_namespace_at_once(string instance)
    {
        await using var hub = await HubServer.StartAsync();
        var result = await ListenAsync(new
        {
            url = Url(hub),
            @namespace = "/" + instance,
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            events = new[] { "call" },
            expect = 1,
            publish = Publish(hub, instance),
        });

        Assert.True(result.TryGetProperty("events", out var events), result.GetRawText());
        Assert.Equal(instance, events[0].GetProperty("envelope").GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Names_over_128_characters_or_with_comma_question_mark_or_hash_are_refused()
    {
        await using var hub = await HubServer.StartAsync();
        var result = await NodeScript.RunAsync("hub/socketio-namespaces.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = Url(hub),
            namespaces = new[] { "/" + new string('n', 129), "/a?b", "/a#b", "/a,b", "/" + new string('n', 128) },
            apikey = HubServer.GlobalKey,
        }));

        var outcomes = result.GetProperty("outcomes").EnumerateArray()
            .Select(o => (Namespace: o.GetProperty("namespace").GetString()!, Outcome: o.GetProperty("outcome").GetString(), Message: o.GetProperty("message").GetString()))
            .ToArray();

        // The same key opens the 128-character namespace, so only the names are refused.
        Assert.Equal("connected", outcomes[4].Outcome);
        foreach (var (name, outcome, message) in outcomes[..3])
        {
            Assert.True(("connect_error", "Invalid namespace") == (outcome, message), $"{name[..Math.Min(name.Length, 12)]}…: {outcome} {message}");
        }

        // A comma ends the namespace in a Socket.IO packet: "/a,b" cannot even be asked for. The CONNECT reads as namespace
        // "/a" with the data "b,{…}", which is no packet: the hub closes that Engine.IO connection, as for any malformed
        // packet, and the client sees its transport close (no connect_error, and never connected to "/a").
        Assert.Equal(("closed", "transport close"), (outcomes[3].Outcome, outcomes[3].Message));
    }

    [Fact]
    public async Task Names_with_a_slash_or_a_control_character_are_refused_and_nothing_connects()
    {
        await using var hub = await HubServer.StartAsync();
        string[] invalid = ["/a/b", "/shop/", "/a\u0001b", "/a\tb", "/a\u007fb", "/a\u0085b"];
        var result = await NodeScript.RunAsync("hub/socketio-namespaces.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = Url(hub),
            namespaces = invalid.Append("/shop"),
            apikey = HubServer.GlobalKey,
        }));

        var outcomes = result.GetProperty("outcomes").EnumerateArray()
            .Select(o => (Namespace: o.GetProperty("namespace").GetString()!, Outcome: o.GetProperty("outcome").GetString(), Message: o.GetProperty("message").GetString()))
            .ToArray();

        // The same key opens a valid namespace, so only the names are refused.
        Assert.Equal(("/shop", "connected"), (outcomes[^1].Namespace, outcomes[^1].Outcome));
        foreach (var (name, outcome, message) in outcomes[..^1])
        {
            Assert.True(("connect_error", "Invalid namespace") == (outcome, message), $"{JsonSerializer.Serialize(name)}: {outcome} {message}");
        }

        // Refused before joining anything: no instance but the valid one was counted (its count may not have fallen yet).
        var listed = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200);
        Assert.All(listed.EnumerateArray(), entry => Assert.Equal("shop", entry.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData(HubServer.GlobalKey, "wrong-key", true)]
    [InlineData("q-token-0123456789", "wrong-key", true)]
    [InlineData("wrong-key", HubServer.GlobalKey, false)]
    [InlineData("wrong-key", "q-token-0123456789", false)]
    public async Task The_apikey_query_parameter_wins_over_the_apikey_header(string queryKey, string headerKey, bool connects)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("q", "q-token-0123456789");
        var result = await ListenAsync(new
        {
            url = Url(hub),
            @namespace = "/q",
            query = new { apikey = queryKey },
            extraHeaders = new { apikey = headerKey },
            transports = new[] { "polling" },
            events = new[] { "call" },
            expect = 1,
            publish = Publish(hub, "q"),
        });

        if (connects)
        {
            Assert.True(result.TryGetProperty("events", out var events), result.GetRawText());
            Assert.Equal("q", events[0].GetProperty("envelope").GetProperty("instance").GetString());
        }
        else
        {
            Assert.Equal("Unauthorized", result.GetProperty("connectError").GetString());
        }
    }

    [Theory]
    [InlineData("auth")]
    [InlineData("query")]
    public async Task A_wrong_key_from_an_allowed_address_is_refused_because_the_key_is_found_first(string where)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:AllowedHosts"] = "127.0.0.1" });
        var result = await ListenAsync(new
        {
            url = Url(hub),
            @namespace = "/allowed",
            auth = where == "auth" ? new { apikey = "wrong-key" } : null,
            query = where == "query" ? new { apikey = "wrong-key" } : null,
            transports = new[] { "websocket" },
            expect = 0,
        });

        Assert.Equal("Unauthorized", result.GetProperty("connectError").GetString());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData(null)]
    public async Task A_socket_io_2_client_with_an_instance_token_receives_its_instance_only(string? transport)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("v2", "v2-token-0123456789");
        var result = await ListenAsync(new
        {
            url = Url(hub),
            @namespace = "/v2",
            client = "v2",
            query = new { apikey = "v2-token-0123456789" },
            transports = transport is null ? null : new[] { transport },
            events = new[] { "call" },
            expect = 1,
            publish = new
            {
                url = hub.Url("/api/events").ToString(),
                apikey = HubServer.GlobalKey,
                body = new object[]
                {
                    new { @event = "CALL", instance = "other", data = new { n = 1 } },
                    new { @event = "CALL", instance = "v2", data = new { n = 2 } },
                },
            },
        });

        Assert.True(result.TryGetProperty("events", out var events), result.GetRawText());
        var envelope = Assert.Single(events.EnumerateArray()).GetProperty("envelope");
        Assert.Equal(("v2", 2), (envelope.GetProperty("instance").GetString(), envelope.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task The_root_namespace_an_engine_io_3_session_joins_by_itself_gives_an_instance_token_no_global_events()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:GlobalEvents"] = "true" });
        await hub.RegisterAsync("v2", "v2-token-0123456789");
        await using var driver = SocketIoDriver.Start();
        var url = Url(hub);
        var root = await driver.ConnectAsync("root", url + "/", new { transports = new[] { "websocket" }, query = new { apikey = "v2-token-0123456789" }, forceNew = true }, version: 2);
        Assert.True(root!["connected"]!.GetValue<bool>(), root.ToJsonString());
        var global = await driver.ConnectAsync("global", url + "/", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, forceNew = true });
        Assert.True(global!["connected"]!.GetValue<bool>(), global.ToJsonString());

        await hub.PublishAsync(new { @event = "CALL", instance = "other", data = new { n = 1 } }, new { @event = "CALL", instance = "v2", data = new { n = 2 } });
        await driver.NextManyAsync("global", "call", 2);

        // Nothing to await for events that must not come: the global listener has both, the instance token's root none.
        await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync("root", "call", timeoutMs: 500));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public async Task Rotating_a_token_cuts_its_sockets_and_leaves_global_key_sockets_connected(int version)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("rot", "old-token-0123456789");
        await using var driver = SocketIoDriver.Start();
        var url = Url(hub) + "/rot";
        object Options(string key) => version == 2
            ? new { transports = new[] { "websocket" }, query = new { apikey = key }, forceNew = true }
            : new { transports = new[] { "websocket" }, auth = new { apikey = key }, forceNew = true };
        var old = await driver.ConnectAsync("old", url, Options("old-token-0123456789"), version);
        Assert.True(old!["connected"]!.GetValue<bool>(), old.ToJsonString());
        var global = await driver.ConnectAsync("global", url, Options(HubServer.GlobalKey), version);
        Assert.True(global!["connected"]!.GetValue<bool>(), global.ToJsonString());

        await hub.RegisterAsync("rot", "new-token-0123456789");

        Assert.Equal("io server disconnect", (await driver.NextAsync("old", "$disconnect"))[0]!.GetValue<string>());
        await hub.PublishAsync(new { @event = "CALL", instance = "rot", data = new { n = 1 } });
        Assert.Equal(1, (await driver.NextAsync("global", "call"))[0]!["data"]!["n"]!.GetValue<int>());
        Assert.True((await driver.StateAsync("global"))!["connected"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task An_emit_whose_upstream_answers_non_2xx_gets_ok_false_with_status_and_body_and_stays_connected(string transport)
    {
        await using var upstream = await Upstream.StartAsync();
        upstream.Status = 422;
        upstream.Body = """{"error":"bad number","n":1}""";
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = upstream.BaseUrl,
            ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}",
        });
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", Url(hub) + "/emit", new { transports = new[] { transport }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());

        var ack = await driver.EmitWithAckAsync("c", "send_message", new { number = "x", text = "hi" });

        Assert.Equal("""[{"ok":false,"status":422,"body":{"error":"bad number","n":1}}]""", ack.ToJsonString());
        await AssertStillReceivesAsync(hub, driver, "c", "emit");
    }

    [Fact]
    public async Task An_emit_to_an_unreachable_upstream_gets_ok_false_with_an_error_and_stays_connected()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            ["Evolution:TimeoutSeconds"] = "5",
            ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}",
        });
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", Url(hub) + "/emit", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());

        var ack = await driver.EmitWithAckAsync("c", "send_message", new { number = "x", text = "hi" });

        var result = Assert.Single(ack)!.AsObject();
        Assert.False(result["ok"]!.GetValue<bool>(), ack.ToJsonString());
        Assert.False(string.IsNullOrEmpty(result["error"]?.GetValue<string>()), ack.ToJsonString());
        Assert.False(result.ContainsKey("status"), ack.ToJsonString());
        await AssertStillReceivesAsync(hub, driver, "c", "emit");
    }

    private static async Task AssertStillReceivesAsync(HubServer hub, SocketIoDriver driver, string client, string instance)
    {
        await hub.PublishAsync(new { @event = "CALL", instance, data = new { n = 7 } });
        Assert.Equal(7, (await driver.NextAsync(client, "call"))[0]!["data"]!["n"]!.GetValue<int>());
        Assert.True((await driver.StateAsync(client))!["connected"]!.GetValue<bool>());
    }

    /// <summary>A loopback port that was free a moment ago and has no listener: connections to it are refused.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
