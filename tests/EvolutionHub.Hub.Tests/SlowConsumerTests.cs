using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// A SignalR client that stops reading is disconnected once <c>SignalR:MaxBufferedBytes</c> wait for it, and never delays
/// another instance's clients, even one whose events take the same dispatch lane.
/// </summary>
[Collection(nameof(Alone))]
public sealed class SlowConsumerTests
{
    private const string Slow = "slow";

    [Fact]
    public async Task A_SignalR_client_that_stops_reading_is_disconnected_and_a_bystander_on_its_lane_gets_every_event_within_a_second()
    {
        await using var hub = await HubServer.StartAsync();
        var lane = EventLanes.LaneIndexOf(Slow);
        var neighbour = Enumerable.Range(0, 1000).Select(i => $"neighbour-{i}").First(name => EventLanes.LaneIndexOf(name) == lane);
        using var stalled = await RawSignalRClient.SubscribeAsync(hub, Slow);
        await using var bystander = await Bystander.StartAsync(hub, neighbour);

        // 40 events of 512 KiB, one every 25 ms: far more than the client's socket, the server's and the 4 MiB budget hold.
        var blob = new string('x', 512 * 1024);
        for (var i = 0; i < 40; i++)
        {
            await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey,
                JsonSerializer.Serialize(new { @event = "CALL", instance = Slow, data = new { i, blob } })), 202);
            await Task.Delay(25);
        }

        await Eventually.UntilAsync(
            async () => (await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200))
                .EnumerateArray().All(instance => instance.GetProperty("name").GetString() != Slow),
            TimeSpan.FromSeconds(10),
            "the hub to drop the client that does not read");
        await Eventually.UntilAsync(() => Task.FromResult(bystander.Received >= 30), TimeSpan.FromSeconds(10), "30 bystander events");
        (await bystander.StopAsync()).AssertOnTime();

        // Reading again, the client finds its connection closed after what the buffers held.
        Assert.True(await stalled.ReadsToTheEndAsync(TimeSpan.FromSeconds(10)), "the stalled client's connection stayed open");
        Assert.Equal(1, (await PrometheusScrape.ReadAsync(hub.Http)).Value("evolutionhub_slow_consumer_disconnects_total"));
    }
}

/// <summary>The SignalR JSON protocol over a raw WebSocket with a small receive buffer: a client that can stop reading.</summary>
public sealed class RawSignalRClient : IDisposable
{
    private readonly ClientWebSocket _socket;

    private RawSignalRClient(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawSignalRClient> SubscribeAsync(HubServer hub, string instance)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("apikey", HubServer.GlobalKey);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        var uri = new UriBuilder(hub.Url("/hubs/events")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, new HttpMessageInvoker(handler), CancellationToken.None);
        var client = new RawSignalRClient(socket);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        Assert.Equal("{}", await client.ReceiveAsync());
        await client.SendAsync($$"""{"type":1,"invocationId":"1","target":"Subscribe","arguments":["{{instance}}"]}""");
        Assert.Contains("\"invocationId\":\"1\"", await client.ReceiveAsync(), StringComparison.Ordinal);
        return client;
    }

    /// <summary>Reads whatever is left until the server ends the connection; false when it is still open after <paramref name="within"/>.</summary>
    public async Task<bool> ReadsToTheEndAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task<string> ReceiveAsync()
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains('\u001e'))
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        // Keep-alive pings may come first: the message wanted is the last one.
        return text.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Last();
    }
}
