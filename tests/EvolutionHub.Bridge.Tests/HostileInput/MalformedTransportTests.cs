using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>Transport-level input no client library sends: malformed lengths, oversized frames during an upgrade.</summary>
public sealed class MalformedTransportTests
{
    [Theory]
    [InlineData("2147483647:4")]
    [InlineData("2147483646:4")]
    [InlineData("4294967296:4")]
    public async Task A_v3_polling_body_with_a_huge_length_is_a_400_and_closes_the_session(string body)
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync(eio: 3);
        var query = $"EIO=3&transport=polling&sid={sid}";
        var response = await raw.PostAsync(query, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"code":3,"message":"Bad request"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await raw.GetAsync(query)).StatusCode);
    }

    [Fact]
    public async Task A_frame_over_maxPayload_before_the_upgrade_probe_closes_the_session_and_polls_do_not_spin()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxPayload = 10_000);
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        using var socket = await raw.OpenWebSocketAsync($"EIO=4&transport=websocket&sid={sid}");
        await RawEngineIo.SendTextAsync(socket, "4" + new string('a', 50_000));
        await RawEngineIo.AssertClosedByServerAsync(socket);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);

        // The session is over: a poll is refused, it is not answered again and again.
        var clock = Stopwatch.StartNew();
        var answered = 0;
        HttpStatusCode status;
        while ((status = (await raw.GetAsync(query)).StatusCode) == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            answered++;
        }

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(answered <= 1, $"{answered} polls answered in {clock.Elapsed}");
    }

    [Fact]
    public async Task A_poll_while_an_upgrade_waits_for_its_probe_waits_like_any_poll()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url, "/engine.io/");
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        using var socket = await raw.OpenWebSocketAsync($"EIO=4&transport=websocket&sid={sid}");

        // The socket sends no probe: the session still polls, and a poll with nothing to carry waits for what comes next
        // (a poll answered at once would carry a noop instead): here the echo of a message posted after it.
        var poll = raw.GetAsync(query);
        Assert.Equal("ok", await (await raw.PostAsync(query, "4hello")).Content.ReadAsStringAsync());
        Assert.Equal("4hello", await (await poll.WithTimeout(TimeSpan.FromSeconds(5), "the poll to carry the echo")).Content.ReadAsStringAsync());

        // The probe lets a waiting poll return, so that the client can pause polling and upgrade.
        poll = raw.GetAsync(query);
        await RawEngineIo.SendTextAsync(socket, "2probe");
        Assert.Equal("3probe", await RawEngineIo.ReceiveTextAsync(socket));
        Assert.Equal("6", await (await poll.WithTimeout(TimeSpan.FromSeconds(5), "the poll to return after the probe")).Content.ReadAsStringAsync());

        // Until the upgrade packet, polls are answered so that the client can pause, but not as fast as it asks.
        var clock = Stopwatch.StartNew();
        var polls = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.Equal("6", await (await raw.GetAsync(query)).Content.ReadAsStringAsync());
            polls++;
        }

        Assert.True(polls <= 15, $"{polls} polls answered in {clock.Elapsed}");
        await RawEngineIo.SendTextAsync(socket, "5");
        await RawEngineIo.SendTextAsync(socket, "4upgraded");
        Assert.Equal("4upgraded", await RawEngineIo.ReceiveTextAsync(socket));
    }
}
