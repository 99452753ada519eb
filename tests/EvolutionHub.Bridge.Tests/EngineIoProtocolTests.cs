using System.Net;
using System.Net.WebSockets;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Bridge.Tests;

/// <summary>Engine.IO as the protocol document states it, including what well-behaved clients never send.</summary>
public sealed class EngineIoProtocolTests
{
    [Fact]
    public async Task The_handshake_announces_the_configured_limits()
    {
        await using var server = await BridgeServer.StartAsync(o => { o.PingInterval = 1234; o.PingTimeout = 567; o.MaxPayload = 4321; });
        using var raw = new RawEngineIo(server.Url);
        var (sid, handshake) = await raw.OpenPollingAsync();
        Assert.Equal(20, sid.Length);
        Assert.Equal(1234, handshake.GetProperty("pingInterval").GetInt32());
        Assert.Equal(567, handshake.GetProperty("pingTimeout").GetInt32());
        Assert.Equal(4321, handshake.GetProperty("maxPayload").GetInt32());
        Assert.Equal("websocket", handshake.GetProperty("upgrades")[0].GetString());

        var (_, v3) = await raw.OpenPollingAsync(eio: 3);
        Assert.False(v3.TryGetProperty("maxPayload", out _));
    }

    [Theory]
    [InlineData("EIO=5&transport=polling", 5, "Unsupported protocol version")]
    [InlineData("transport=polling", 5, "Unsupported protocol version")]
    [InlineData("EIO=4&transport=carrier-pigeon", 0, "Transport unknown")]
    [InlineData("EIO=4&transport=polling&sid=nope", 1, "Session ID unknown")]
    [InlineData("EIO=4&transport=websocket", 3, "Bad request")]
    public async Task Bad_requests_get_400_with_the_engine_io_error_code(string query, int code, string message)
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var response = await raw.GetAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($$"""{"code":{{code}},"message":"{{message}}"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_handshake_must_be_a_get_and_other_methods_are_refused()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var post = await raw.PostAsync("EIO=4&transport=polling", "40");
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Contains("\"code\":2", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (sid, _) = await raw.OpenPollingAsync();
        var put = await raw.SendAsync(HttpMethod.Put, $"EIO=4&transport=polling&sid={sid}");
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public async Task Polling_carries_several_packets_per_request_both_ways()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";

        var post = await raw.PostAsync(query, "40/a,\u001e40/b,{\"token\":1}");
        Assert.Equal("ok", await post.Content.ReadAsStringAsync());

        var received = new List<string>();
        await Eventually.UntilAsync(async () =>
        {
            var body = await (await raw.GetAsync(query)).Content.ReadAsStringAsync();
            received.AddRange(body.Split('\u001e'));
            return received.Count(p => p.StartsWith("40/", StringComparison.Ordinal)) == 2 && received.Count(p => p.StartsWith("42/", StringComparison.Ordinal)) == 2;
        }, TimeSpan.FromSeconds(5), "both namespaces to be connected and welcomed");
        Assert.Contains(received, p => p.StartsWith("40/a,{\"sid\":\"", StringComparison.Ordinal));
        Assert.Contains(received, p => p.StartsWith("42/b,[\"welcome\",", StringComparison.Ordinal) && p.Contains("\"auth\":{\"token\":1}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_over_maxPayload_gets_413_and_ends_the_session()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxPayload = 1000);
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";

        Assert.Equal(HttpStatusCode.OK, (await raw.PostAsync(query, "40" + new string(' ', 0))).StatusCode);
        var tooLarge = await raw.PostAsync(query, "42[\"x\",\"" + new string('a', 2000) + "\"]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        var after = await raw.GetAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
    }

    [Fact]
    public async Task A_websocket_message_over_maxPayload_closes_the_socket()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxPayload = 1000);
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, "4" + new string('a', 5000));
        await RawEngineIo.AssertClosedByServerAsync(socket);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    [Fact]
    public async Task A_second_concurrent_poll_closes_the_session()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";

        // Nothing is queued (the first ping is 25 s away), so whichever poll the server takes first waits until the other
        // arrives: that one is refused, and the waiting one carries the close packet.
        var polls = await Task.WhenAll(raw.GetAsync(query), raw.GetAsync(query));
        var answers = await Task.WhenAll(polls.Select(async poll => (poll.StatusCode, Body: await poll.Content.ReadAsStringAsync())));
        Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.BadRequest);
        Assert.Single(answers, answer => answer is { StatusCode: HttpStatusCode.OK, Body: "1" });
        Assert.Equal(HttpStatusCode.BadRequest, (await raw.GetAsync(query)).StatusCode);
    }

    [Fact]
    public async Task A_client_that_stops_answering_pings_is_closed_after_ping_timeout()
    {
        await using var server = await BridgeServer.StartAsync(o => { o.PingInterval = 100; o.PingTimeout = 100; });
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        Assert.Equal("2", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.AssertClosedByServerAsync(socket, timeoutMs: 5000);
    }

    [Fact]
    public async Task A_client_answering_pings_stays_connected()
    {
        // A generous timeout: a busy machine may answer late, and that is not what this test is about.
        await using var server = await BridgeServer.StartAsync(o => { o.PingInterval = 100; o.PingTimeout = 3000; });
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, "40");
        for (var pings = 0; pings < 5;)
        {
            var message = await RawEngineIo.ReceiveTextAsync(socket);
            Assert.NotNull(message);
            if (message == "2")
            {
                pings++;
                await RawEngineIo.SendTextAsync(socket, "3");
            }
        }

        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Engine_io_v3_clients_ping_and_the_server_pongs()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=3&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        Assert.Equal("40", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, "2probe");
        string? message;
        do
        {
            message = await RawEngineIo.ReceiveTextAsync(socket);
        }
        while (message is not null && message.StartsWith("42", StringComparison.Ordinal));
        Assert.Equal("3probe", message);
    }

    [Theory]
    [InlineData("4garbage")]
    [InlineData("42[\"unterminated")]
    [InlineData("42{\"not\":\"an array\"}")]
    [InlineData("42[\"connect\"]")]
    [InlineData("43/nowhere,1[]")]
    [InlineData("44{\"message\":\"clients do not send this\"}")]
    [InlineData("451-[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("9")]
    public async Task A_malformed_packet_closes_the_connection(string packet)
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, "40");
        Assert.StartsWith("40{\"sid\"", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, packet);
        if (packet.StartsWith("451-", StringComparison.Ordinal))
        {
            // The attachment announced is followed by text instead.
            await RawEngineIo.SendTextAsync(socket, "42[\"x\"]");
        }

        await RawEngineIo.AssertClosedByServerAsync(socket);
    }

    [Fact]
    public async Task A_session_that_joins_no_namespace_is_closed_after_connect_timeout()
    {
        await using var server = await BridgeServer.StartAsync(o => o.ConnectTimeout = 300);
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        Assert.Equal("1", await RawEngineIo.ReceiveTextAsync(socket, timeoutMs: 3000));
        await RawEngineIo.AssertClosedByServerAsync(socket);
    }

    [Fact]
    public async Task Polling_upgrades_to_websocket_with_a_probe()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        await raw.PostAsync(query, "40");
        var pending = raw.GetAsync(query);

        using var socket = await raw.OpenWebSocketAsync($"EIO=4&transport=websocket&sid={sid}");
        await RawEngineIo.SendTextAsync(socket, "2probe");
        Assert.Equal("3probe", await RawEngineIo.ReceiveTextAsync(socket));
        var polled = await (await pending).Content.ReadAsStringAsync();
        Assert.True(polled.Length > 0);
        await RawEngineIo.SendTextAsync(socket, "5");

        // From now on the WebSocket carries the session: messages flow on the socket, a new poll is refused.
        await RawEngineIo.SendTextAsync(socket, "421[\"Echo\",\"over ws\"]");
        string? message;
        do
        {
            message = await RawEngineIo.ReceiveTextAsync(socket);
        }
        while (message is not null && !message.StartsWith("431", StringComparison.Ordinal));
        Assert.Equal("431[\"over ws\"]", message);
        Assert.Equal(HttpStatusCode.BadRequest, (await raw.GetAsync(query)).StatusCode);
    }

    [Fact]
    public async Task A_client_close_packet_ends_the_session()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        Assert.Equal(HttpStatusCode.OK, (await raw.PostAsync(query, "1")).StatusCode);

        // A poll sent alongside the close is answered with a noop; after it the sid is gone.
        Assert.Equal("6", await (await raw.GetAsync(query)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await raw.GetAsync(query)).StatusCode);
    }

    [Fact]
    public async Task The_plain_engine_io_endpoint_echoes_text_and_binary()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url, "/engine.io/");
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        await RawEngineIo.SendTextAsync(socket, "4héllo 🌍");
        Assert.Equal("4héllo 🌍", await RawEngineIo.ReceiveTextAsync(socket));
        await socket.SendAsync(new byte[] { 1, 2, 255 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[16];
        var result = await socket.ReceiveAsync(buffer, new CancellationTokenSource(5000).Token);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.Equal(new byte[] { 1, 2, 255 }, buffer[..result.Count]);
    }
}

public sealed class EngineIoCorsTests
{
    [Fact]
    public async Task Polling_answers_preflight_and_requests_from_an_allowed_origin_with_credentials()
    {
        await using var server = await BridgeServer.StartAsync();
        using var http = new HttpClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, server.Url + "/socket.io/?EIO=4&transport=polling");
        preflight.Headers.Add("Origin", BridgeServer.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var answer = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal(BridgeServer.AllowedOrigin, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", answer.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        var handshake = new HttpRequestMessage(HttpMethod.Get, server.Url + "/socket.io/?EIO=4&transport=polling");
        handshake.Headers.Add("Origin", BridgeServer.AllowedOrigin);
        var response = await http.SendAsync(handshake);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BridgeServer.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var foreign = new HttpRequestMessage(HttpMethod.Get, server.Url + "/socket.io/?EIO=4&transport=polling");
        foreign.Headers.Add("Origin", "https://evil.example.com");
        Assert.False((await http.SendAsync(foreign)).Headers.Contains("Access-Control-Allow-Origin"));
    }
}

public sealed class HostilePayloadTests
{
    [Fact]
    public async Task A_deeply_nested_event_gets_an_error_ack_and_the_session_lives_on()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        using var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        var deepAuth = new string('[', 100) + new string(']', 100);
        await RawEngineIo.SendTextAsync(socket, "40{\"deep\":" + deepAuth + "}");
        Assert.StartsWith("40{\"sid\"", await NextNonWelcomeAsync(socket));

        await RawEngineIo.SendTextAsync(socket, "427[\"Echo\"," + new string('[', 200) + new string(']', 200) + "]");
        var ack = await NextNonWelcomeAsync(socket);
        Assert.StartsWith("437[{\"error\":", ack);

        await RawEngineIo.SendTextAsync(socket, "428[\"Echo\",\"alive\"]");
        Assert.Equal("438[\"alive\"]", await NextNonWelcomeAsync(socket));
    }

    private static async Task<string?> NextNonWelcomeAsync(System.Net.WebSockets.WebSocket socket)
    {
        string? message;
        do
        {
            message = await RawEngineIo.ReceiveTextAsync(socket);
        }
        while (message is not null && (message.StartsWith("42[\"welcome\"", StringComparison.Ordinal) || message == "2"));
        return message;
    }
}

public sealed class SlowClientTests
{
    [Theory]
    [InlineData(5, 1_000_000, 10, 10)]
    [InlineData(10_000, 1_000, 1, 2_000)]
    public async Task A_session_that_does_not_collect_its_packets_is_closed_at_the_limit(int maxPackets, long maxBytes, int events, int eventSize)
    {
        await using var server = await BridgeServer.StartAsync(o => { o.MaxBufferedPackets = maxPackets; o.MaxBufferedBytes = maxBytes; });
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        await raw.PostAsync(query, "40/slow,");
        await Eventually.UntilAsync(
            async () => (await (await raw.GetAsync(query)).Content.ReadAsStringAsync()).Contains("40/slow,", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the namespace to connect");

        // The client stops polling; the server keeps sending.
        for (var i = 0; i < events; i++)
        {
            await server.Hub.Clients.Group("ns:/slow").SendAsync("big", new string('x', eventSize));
        }

        await Eventually.UntilAsync(
            async () => (await raw.GetAsync(query)).StatusCode == HttpStatusCode.BadRequest,
            TimeSpan.FromSeconds(5), "the session to be closed as too slow");
    }
}
