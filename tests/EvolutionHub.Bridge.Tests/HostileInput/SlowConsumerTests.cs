using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>A client that stops reading is closed once its budget of waiting bytes is spent; nobody else waits for it.</summary>
public sealed class SlowConsumerTests
{
    private const int EventSize = 100 * 1024;
    private const int MaxEvents = 400; // 40 MB: well past the default budget, and under the old one.

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task A_client_that_stops_reading_is_closed_at_the_byte_budget_while_a_bystander_keeps_receiving(string transport)
    {
        await using var server = await BridgeServer.StartAsync();
        var recorder = server.Services.GetRequiredService<TestHubRecorder>();
        using var raw = new RawEngineIo(server.Url);
        var slow = transport == "websocket" ? await ConnectSlowWebSocketAsync(raw) : await ConnectSlowPollingAsync(raw);
        var (bystander, _) = await raw.ConnectNamespaceAsync("/bystander");
        using var reading = new CancellationTokenSource();
        var arrivals = new Dictionary<int, long>();
        var clock = Stopwatch.StartNew();
        var reader = ReadTicksAsync(bystander, clock, arrivals, reading.Token);

        var sentAt = new Dictionary<int, long>();
        var payload = new string('x', EventSize);
        var sent = 0;
        for (; sent < MaxEvents && !recorder.Disconnected.Contains(slow.SocketId); sent++)
        {
            await server.Hub.Clients.Group("ns:/slow").SendAsync("big", payload);
            sentAt[sent] = clock.ElapsedMilliseconds;
            await server.Hub.Clients.Group("ns:/bystander").SendAsync("tick", sent);
        }

        await Eventually.UntilAsync(() => Task.FromResult(recorder.Disconnected.Contains(slow.SocketId)), TimeSpan.FromSeconds(5),
            $"the slow {transport} session to be closed (after {sent} events of {EventSize} bytes)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"closed after {clock.Elapsed}, not before the heartbeat would have");

        await Eventually.UntilAsync(() => Task.FromResult(Count(arrivals) == sent), TimeSpan.FromSeconds(5), $"the bystander to receive all {sent} ticks");
        await reading.CancelAsync();
        await reader;
        var worst = sentAt.Max(pair => Arrival(arrivals, pair.Key) - pair.Value);
        Assert.True(worst < 1000, $"a bystander's event took {worst} ms");
        slow.Dispose();
    }

    private static async Task<SlowClient> ConnectSlowWebSocketAsync(RawEngineIo raw)
    {
        var (socket, socketId) = await raw.ConnectNamespaceAsync("/slow");

        // From now on nothing reads this socket.
        return new SlowClient(socketId, socket);
    }

    private static async Task<SlowClient> ConnectSlowPollingAsync(RawEngineIo raw)
    {
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        Assert.Equal(HttpStatusCode.OK, (await raw.PostAsync(query, "40/slow,")).StatusCode);
        string? connect = null;
        await Eventually.UntilAsync(async () =>
        {
            var body = await (await raw.GetAsync(query)).Content.ReadAsStringAsync();
            connect = body.Split('\u001e').FirstOrDefault(p => p.StartsWith("40/slow,", StringComparison.Ordinal));
            return connect is not null;
        }, TimeSpan.FromSeconds(5), "the slow namespace to connect");

        // From now on the client polls no more.
        var socketId = System.Text.Json.JsonDocument.Parse(connect!["40/slow,".Length..]).RootElement.GetProperty("sid").GetString()!;
        return new SlowClient(socketId, null);
    }

    private static async Task ReadTicksAsync(WebSocket socket, Stopwatch clock, Dictionary<int, long> arrivals, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                if (text == "2")
                {
                    await RawEngineIo.SendTextAsync(socket, "3");
                }
                else if (text.StartsWith("42/bystander,[\"tick\",", StringComparison.Ordinal))
                {
                    var tick = int.Parse(text["42/bystander,[\"tick\",".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                    lock (arrivals)
                    {
                        arrivals[tick] = clock.ElapsedMilliseconds;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static int Count(Dictionary<int, long> arrivals)
    {
        lock (arrivals)
        {
            return arrivals.Count;
        }
    }

    private static long Arrival(Dictionary<int, long> arrivals, int tick)
    {
        lock (arrivals)
        {
            return arrivals[tick];
        }
    }

    private sealed record SlowClient(string SocketId, WebSocket? Socket) : IDisposable
    {
        public void Dispose() => Socket?.Dispose();
    }
}
