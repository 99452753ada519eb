using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Farm.Tests.Recovery;

/// <summary>
/// Nothing lost on a farm: the history lives in Redis, so a client resumes on any node, and a node whose Redis pub/sub
/// connection drops reads what it missed from the history: every client still gets every event once, in order.
/// </summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task Resume_on_the_other_node_gets_exactly_the_missed_events_in_order_then_live_ones()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        await using var onA = await OffsetListener.StartAsync(a, "resumed", offset: null);
        await using var other = await OffsetListener.StartAsync(a, "elsewhere", offset: null);
        using (var published = await a.PostEventsAsync(Enumerable.Range(1, 6).Select(n => Event("resumed", n))))
        {
            Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        }

        await b.PublishAsync("resumed", "MESSAGES_UPSERT", new { n = 7 });
        await a.PublishAsync("elsewhere", "MESSAGES_UPSERT", new { n = 1 });
        var seen = await onA.NextManyAsync(7);
        Assert.Equal(Enumerable.Range(1, 7), seen.Select(received => received.N));
        Assert.Equal(7, seen.Select(received => received.Offset).Distinct().Count());
        var foreign = (await other.NextManyAsync(1))[0].Offset;

        await using var connection = OffsetListener.Connect(b);
        await connection.Connection.StartAsync();
        foreach (var bad in new[] { foreign, "garbage", "1-1" })
        {
            await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync("Resume", "resumed", bad));
        }

        await connection.Connection.InvokeAsync("Resume", "resumed", seen[2].Offset);
        var replayed = await connection.NextManyAsync(4);
        Assert.Equal([4, 5, 6, 7], replayed.Select(received => received.N));
        Assert.Equal(seen.Skip(3).Select(received => received.Offset), replayed.Select(received => received.Offset));

        await a.PublishAsync("resumed", "MESSAGES_UPSERT", new { n = 8 });
        await b.PublishAsync("resumed", "MESSAGES_UPSERT", new { n = 9 });
        Assert.Equal([8, 9], (await connection.NextManyAsync(2)).Select(received => received.N));
        Assert.Equal([8, 9], (await onA.NextManyAsync(2)).Select(received => received.N));
    }

    [Fact]
    public async Task Every_client_gets_every_event_once_in_order_while_Redis_keeps_killing_the_nodes_pubsub_connections()
    {
        const int Posts = 300;
        const int PerPost = 20;
        const int PostsPerKill = 30;
        const int Total = Posts * PerPost;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        var listeners = new List<OffsetListener>();
        foreach (var node in new[] { a, a, b, b })
        {
            listeners.Add(await OffsetListener.StartAsync(node, "chaos", offset: null, count: Total + 1));
        }

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "socketio-on-b", b, "/chaos", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });

        using var stop = new CancellationTokenSource();
        using var killed = new SemaphoreSlim(0);
        var kills = 0;
        var killer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await farm.Redis.CliAsync("CLIENT", "KILL", "TYPE", "pubsub");
                Interlocked.Increment(ref kills);
                killed.Release();
                try
                {
                    await Task.Delay(300, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var elapsed = Stopwatch.StartNew();
        var next = 1;
        for (var post = 0; post < Posts; post++)
        {
            // However fast the nodes take the posts, the kills keep coming while they do: one at least every PostsPerKill.
            if (post % PostsPerKill == PostsPerKill - 1)
            {
                Assert.True(await killed.WaitAsync(TimeSpan.FromSeconds(10)), $"no kill of the pub/sub connections within 10 s (post {post})");
            }

            var node = post % 2 == 0 ? a : b;
            var batch = Enumerable.Range(next, PerPost).Select(n => Event("chaos", n)).ToArray();
            next += PerPost;
            await PostUntilAcceptedAsync(node, batch);
        }

        stop.Cancel();
        await killer;
        await a.PublishAsync("chaos", "MESSAGES_UPSERT", new { n = Total + 1 });

        try
        {
            foreach (var (listener, i) in listeners.Select((listener, i) => (listener, i)))
            {
                var received = await listener.WhenAllAsync(TimeSpan.FromSeconds(30));
                var numbers = received.Select(e => e.N).ToArray();
                var lost = Total + 1 - numbers.Distinct().Count();
                var outOfOrder = numbers.Zip(numbers.Skip(1)).Count(pair => pair.Second != pair.First + 1);
                Assert.True(numbers.SequenceEqual(Enumerable.Range(1, Total + 1)),
                    $"listener {i}: {numbers.Length} events, {lost} lost, {outOfOrder} out of order or repeated, after {kills} kills");
            }

            var socketIo = await driver.NextManyAsync("socketio-on-b", "messages.upsert", Total + 1, timeoutMs: 30000);
            Assert.Equal(Enumerable.Range(1, Total + 1), socketIo.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
        }
        finally
        {
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }

        Assert.True(kills >= 5, $"only {kills} kills in {elapsed.Elapsed.TotalSeconds:0.0} s: the test proves little");
    }

    [Fact]
    public async Task Publishing_on_a_node_cut_off_from_Redis_answers_503_and_nothing_of_it_reaches_the_history()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var a = farm[0];
        var relay = farm.StartRelay();
        var cut = await farm.StartNodeAsync("cut", waitReady: true, relay: relay);
        await using var live = await OffsetListener.StartAsync(a, "kept", offset: null);
        await a.PublishAsync("kept", "MESSAGES_UPSERT", new { n = 1 });
        var first = (await live.NextManyAsync(1))[0];

        relay.Sever();
        await Eventually.UntilAsync(async () => await cut.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), "the cut node to see Redis gone");
        using (var refused = await cut.PostEventsAsync(new[] { Event("kept", 100), Event("kept", 101), Event("kept", 102) }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        relay.Restore();
        await cut.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await cut.PublishAsync("kept", "MESSAGES_UPSERT", new { n = 2 });

        await using var resumed = await OffsetListener.StartAsync(a, "kept", first.Offset);
        Assert.Equal(2, (await resumed.NextManyAsync(1))[0].N);
        await a.PublishAsync("kept", "MESSAGES_UPSERT", new { n = 3 });
        Assert.Equal(3, (await resumed.NextManyAsync(1))[0].N);
        Assert.Equal([2, 3], (await live.NextManyAsync(2)).Select(received => received.N));
    }

    private static object Event(string instance, int n) => new { @event = "MESSAGES_UPSERT", instance, data = new { n } };

    /// <summary>A refused publish (503 while the node's Redis connection is being replaced) is retried, as a publisher does.</summary>
    private static async Task PostUntilAcceptedAsync(HubNode node, object body)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await node.PostEventsAsync(body);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return;
            }

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 100,
                $"publish on node {node.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(20);
        }
    }

    internal sealed record Received(int N, string Offset);

    /// <summary>A .NET SignalR client that called <c>Resume(instance, offset)</c> and records <c>(envelope, offset)</c> events.</summary>
    internal sealed class OffsetListener : IAsyncDisposable
    {
        private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
        private readonly List<Received> _all = [];
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int _count;

        private OffsetListener(HubConnection connection, int count)
        {
            Connection = connection;
            _count = count;
            connection.On<JsonElement, string>("messages.upsert", (envelope, offset) =>
            {
                var received = new Received(envelope.GetProperty("data").GetProperty("n").GetInt32(), offset);
                _received.Writer.TryWrite(received);
                lock (_all)
                {
                    _all.Add(received);
                    if (_all.Count >= _count)
                    {
                        _complete.TrySetResult();
                    }
                }
            });
        }

        public HubConnection Connection { get; }

        public static OffsetListener Connect(HubNode node, int count = int.MaxValue) => new(new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseUri, "/hubs/events"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(HubNode.GlobalKey);
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build(), count);

        public static async Task<OffsetListener> StartAsync(HubNode node, string instance, string? offset, int count = int.MaxValue)
        {
            var listener = Connect(node, count);
            await listener.Connection.StartAsync().WithTimeout(TimeSpan.FromSeconds(10), $"SignalR to connect to node {node.Name}");
            await listener.Connection.InvokeAsync("Resume", instance, offset).WithTimeout(TimeSpan.FromSeconds(10), $"Resume({instance}) on node {node.Name}");
            return listener;
        }

        public async Task<IReadOnlyList<Received>> NextManyAsync(int count)
        {
            var received = new List<Received>();
            while (received.Count < count)
            {
                received.Add(await _received.Reader.ReadAsync().AsTask().WithTimeout(Timeouts.Event, $"event {received.Count + 1} of {count}"));
            }

            return received;
        }

        /// <summary>Everything received once the expected count arrived, or what arrived when <paramref name="timeout"/> passed.</summary>
        public async Task<IReadOnlyList<Received>> WhenAllAsync(TimeSpan timeout)
        {
            await Task.WhenAny(_complete.Task, Task.Delay(timeout));
            lock (_all)
            {
                return [.. _all];
            }
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
