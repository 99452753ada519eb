using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using EvolutionHub.Bridge.Tests.Infrastructure;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>New Engine.IO sessions are admitted within global and per-address limits, before any session state exists.</summary>
public sealed class SessionAdmissionTests
{
    private const string Handshake = "EIO=4&transport=polling";

    [Fact]
    public async Task Sessions_of_one_address_beyond_the_limit_get_429_until_one_closes_and_other_addresses_are_served()
    {
        await using var server = await BridgeServer.StartAsync(o => { o.MaxSessionsPerAddress = 3; o.NewSessionsPerSecondPerAddress = 0; });
        using var raw = new RawEngineIo(server.Url);
        var sids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sids.Add((await raw.OpenPollingAsync()).Sid);
        }

        await AssertRefusedAsync(await raw.GetAsync(Handshake), HttpStatusCode.TooManyRequests, "Too many sessions from this address");

        // Refused before the upgrade too: no WebSocket is accepted.
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(raw.Url("EIO=4&transport=websocket").Replace("http", "ws", StringComparison.Ordinal)), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
        Assert.True(socket.HttpResponseHeaders!.ContainsKey("Retry-After"));

        using var otherAddress = new RawEngineIo(server.Url, localAddress: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, (await otherAddress.GetAsync(Handshake)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await raw.PostAsync($"{Handshake}&sid={sids[0]}", "1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await raw.GetAsync(Handshake)).StatusCode);
    }

    [Fact]
    public async Task New_sessions_of_one_address_beyond_the_rate_get_429_with_retry_after()
    {
        // One per second, a burst of two.
        await using var server = await BridgeServer.StartAsync(o => { o.NewSessionsPerSecondPerAddress = 1; o.MaxSessionsPerAddress = 0; });
        using var raw = new RawEngineIo(server.Url);
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await raw.GetAsync(Handshake);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
            }
            else
            {
                refused ??= response;
            }
        }

        Assert.NotNull(refused);
        await AssertRefusedAsync(refused, HttpStatusCode.TooManyRequests, "Too many new sessions from this address");
        Assert.True(accepted <= 2 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds), $"{accepted} sessions accepted in {clock.Elapsed}");
    }

    [Fact]
    public async Task Sessions_beyond_the_global_limit_get_503()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxSessions = 2);
        using var raw = new RawEngineIo(server.Url);
        await raw.OpenPollingAsync();
        await raw.OpenPollingAsync();
        await AssertRefusedAsync(await raw.GetAsync(Handshake), HttpStatusCode.ServiceUnavailable, "Too many sessions on this server");
        using var otherAddress = new RawEngineIo(server.Url, localAddress: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await otherAddress.GetAsync(Handshake)).StatusCode);
    }

    [Fact]
    public async Task With_the_defaults_a_flood_of_handshakes_from_one_address_is_refused_after_the_burst()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var clock = Stopwatch.StartNew();
        var statuses = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            var status = (await raw.GetAsync(Handshake)).StatusCode;
            lock (statuses)
            {
                statuses.Add(status);
            }
        });

        // 100 at once, then 50 a second.
        var accepted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.True(accepted <= 100 + (50 * (int)Math.Ceiling(clock.Elapsed.TotalSeconds)), $"{accepted} of 300 accepted in {clock.Elapsed}");
        Assert.Equal(300 - accepted, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_handshake_whose_kept_headers_pass_the_limit_gets_431()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxHandshakeHeaderBytes = 1024);
        using var raw = new RawEngineIo(server.Url);
        using var large = new HttpRequestMessage(HttpMethod.Get, raw.Url(Handshake));
        large.Headers.Add("User-Agent", new string('a', 2000));
        var response = await raw.SendAsync(large);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal("""{"code":3,"message":"Bad request"}""", await response.Content.ReadAsStringAsync());

        // A header the session does not keep costs nothing and refuses nothing.
        using var unkept = new HttpRequestMessage(HttpMethod.Get, raw.Url(Handshake));
        unkept.Headers.Add("X-Padding", new string('a', 2000));
        Assert.Equal(HttpStatusCode.OK, (await raw.SendAsync(unkept)).StatusCode);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(4, body.GetProperty("code").GetInt32());
        Assert.Equal(message, body.GetProperty("message").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
    }
}

[Collection(MemoryMeasurement.Name)]
public sealed class PendingSessionMemoryTests
{
    [Fact]
    public async Task A_pending_session_does_not_keep_the_handshake_request()
    {
        const int sessions = 300;
        await using var server = await BridgeServer.StartAsync(o => { o.MaxSessionsPerAddress = 0; o.NewSessionsPerSecondPerAddress = 0; });
        using var raw = new RawEngineIo(server.Url);
        var padding = new string('a', 30_000);
        await OpenAsync(raw, padding, 10);

        var before = MemoryMeasurement.RetainedBytes();
        await OpenAsync(raw, padding, sessions);
        var perSession = (MemoryMeasurement.RetainedBytes() - before) / sessions;

        // Keeping the request keeps its 30 kB header (60 kB as .NET strings); a session itself is a few kB.
        Assert.True(perSession < 16 * 1024, $"{perSession} bytes retained per pending session");
    }

    private static async Task OpenAsync(RawEngineIo raw, string padding, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, raw.Url("EIO=4&transport=polling"));
            request.Headers.Add("X-Padding", padding);
            using var response = await raw.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
