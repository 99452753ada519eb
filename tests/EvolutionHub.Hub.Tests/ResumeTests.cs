using System.Text.Json;
using System.Threading.Channels;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// Offsets and recovery on one node: every event has an offset, <c>Resume(instance, offset)</c> delivers what came after
/// it (through the instance's current filter) then live events, none twice, and an offset the history cannot continue
/// from is refused without subscribing anything.
/// </summary>
public sealed class ResumeTests
{
    private const string Upsert = "messages.upsert";
    private const string Update = "connection.update";

    [Fact]
    public async Task Resume_from_an_offset_gets_exactly_the_events_after_it_in_order_then_live_ones()
    {
        await using var hub = await HubServer.StartAsync();
        await using var live = await OffsetListener.StartAsync(hub, "shop", offset: null);
        await hub.PublishAsync([.. Enumerable.Range(1, 5).Select(n => Event("shop", n))]);
        var seen = await live.NextManyAsync(5);
        Assert.Equal([1, 2, 3, 4, 5], seen.Select(received => received.N));
        Assert.Equal(5, seen.Select(received => received.Offset).Distinct().Count());

        await using var resumed = await OffsetListener.StartAsync(hub, "shop", seen[1].Offset);
        var replayed = await resumed.NextManyAsync(3);
        Assert.Equal([3, 4, 5], replayed.Select(received => received.N));
        Assert.Equal(seen.Skip(2).Select(received => received.Offset), replayed.Select(received => received.Offset));

        await hub.PublishAsync(Event("shop", 6), Event("shop", 7));
        Assert.Equal([6, 7], (await resumed.NextManyAsync(2)).Select(received => received.N));
        Assert.Equal([6, 7], (await live.NextManyAsync(2)).Select(received => received.N));

        // Resumed from an offset this node delivered: what came after it, then live events.
        await using var current = await OffsetListener.StartAsync(hub, "shop", replayed[^1].Offset);
        Assert.Equal([6, 7], (await current.NextManyAsync(2)).Select(received => received.N));
        await hub.PublishAsync(Event("shop", 8));
        Assert.Equal(8, (await current.NextManyAsync(1))[0].N);
    }

    [Fact]
    public async Task An_offset_of_another_instance_garbage_or_a_trimmed_one_fails_and_subscribes_nothing()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Recovery:MaxEventsPerInstance"] = "3" });
        await using var recorder = await OffsetListener.StartAsync(hub, "other", offset: null);
        await using var shopRecorder = await OffsetListener.StartAsync(hub, "shop", offset: null);
        await hub.PublishAsync(Event("other", 1));
        var foreign = (await recorder.NextManyAsync(1))[0].Offset;
        await hub.PublishAsync([.. Enumerable.Range(1, 6).Select(n => Event("shop", n))]);
        var shop = await shopRecorder.NextManyAsync(6);

        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var received = new OffsetRecorder(connection);
        await connection.StartAsync();
        foreach (var offset in new[] { foreign, "garbage", "12-x", "", shop[0].Offset, shop[1].Offset })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Resume", "shop", offset));
            Assert.Contains("Cannot resume shop", refused.Message, StringComparison.Ordinal);
        }

        // The history keeps the last 3 (4, 5, 6): the offset of 3 is the one before them, so nothing after it is missing.
        await connection.InvokeAsync("Resume", "shop", shop[2].Offset);
        Assert.Equal([4, 5, 6], (await received.NextManyAsync(3)).Select(e => e.N));
        await hub.PublishAsync(Event("shop", 7));
        Assert.Equal(7, (await received.NextManyAsync(1))[0].N);
        Assert.Equal(7, (await shopRecorder.NextManyAsync(1))[0].N);
        await hub.PublishAsync(Event("shop", 8));
        Assert.Equal(8, (await received.NextManyAsync(1))[0].N);
    }

    [Fact]
    public async Task The_history_keeps_at_most_MaxEventsPerInstance_per_instance()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Recovery:MaxEventsPerInstance"] = "10" });
        await using var live = await OffsetListener.StartAsync(hub, "counted", offset: null);
        await hub.PublishAsync([.. Enumerable.Range(1, 25).Select(n => Event("counted", n))]);
        var seen = await live.NextManyAsync(25);

        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Resume", "counted", seen[13].Offset));

        await using var resumed = await OffsetListener.StartAsync(hub, "counted", seen[14].Offset);
        Assert.Equal(Enumerable.Range(16, 10), (await resumed.NextManyAsync(10)).Select(received => received.N));
    }

    [Fact]
    public async Task Replay_applies_the_instances_current_filter()
    {
        await using var hub = await HubServer.StartAsync();
        await using var live = await OffsetListener.StartAsync(hub, "filtered", offset: null);
        await hub.PublishAsync(Event("filtered", 1), Event("filtered", 2, "CONNECTION_UPDATE"), Event("filtered", 3), Event("filtered", 4, "CONNECTION_UPDATE"));
        var seen = await live.NextManyAsync(4);

        using (var set = await hub.PostAsync("/websocket/set/filtered", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "CONNECTION_UPDATE" } } }))
        {
            await Expect.StatusAsync(set, 201);
        }

        await using var resumed = await OffsetListener.StartAsync(hub, "filtered", seen[0].Offset);
        Assert.Equal([(Update, 2), (Update, 4)], (await resumed.NextManyAsync(2)).Select(received => (received.Target, received.N)));
        await hub.PublishAsync(Event("filtered", 5), Event("filtered", 6, "CONNECTION_UPDATE"));
        Assert.Equal([(Update, 6)], (await resumed.NextManyAsync(1)).Select(received => (received.Target, received.N)));
    }

    [Fact]
    public async Task ResumeGlobal_replays_every_instances_events_in_the_order_accepted()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:GlobalEvents"] = "true" });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var live = new OffsetRecorder(connection);
        await connection.StartAsync();
        await connection.InvokeAsync("ResumeGlobal", (string?)null);
        await hub.PublishAsync(Event("a", 1), Event("b", 2), Event("a", 3), Event("c", 4));
        var seen = await live.NextManyAsync(4);
        Assert.Equal([1, 2, 3, 4], seen.Select(received => received.N));

        await using var other = hub.SignalR(HubServer.GlobalKey);
        var resumed = new OffsetRecorder(other);
        await other.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync("ResumeGlobal", "nonsense"));
        await other.InvokeAsync("ResumeGlobal", seen[0].Offset);
        Assert.Equal([2, 3, 4], (await resumed.NextManyAsync(3)).Select(received => received.N));
        await hub.PublishAsync(Event("b", 5));
        Assert.Equal(5, (await resumed.NextManyAsync(1))[0].N);

        // An instance token has no global scope.
        await hub.RegisterAsync("a", "a-token-0123456789abcdef");
        await using var instance = hub.SignalR("a-token-0123456789abcdef");
        await instance.StartAsync();
        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => instance.InvokeAsync("ResumeGlobal", seen[0].Offset))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Socket_io_v4_events_carry_the_offset_as_last_argument_and_v2_events_do_not()
    {
        await using var hub = await HubServer.StartAsync();
        await using var live = await OffsetListener.StartAsync(hub, "sio", offset: null);
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/sio";
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, query = new { apikey = HubServer.GlobalKey }, forceNew = true };
        await driver.ConnectAsync("v4", url, options);
        await driver.NextAsync("v4", "$connect");
        await driver.ConnectAsync("v2", url, options, version: 2);
        await driver.NextAsync("v2", "$connect");

        await hub.PublishAsync(Event("sio", 1));
        var offset = (await live.NextManyAsync(1))[0].Offset;
        var v4 = await driver.NextAsync("v4", Upsert);
        Assert.Equal(2, v4.Count);
        Assert.Equal(1, v4[0]!["data"]!["n"]!.GetValue<int>());
        Assert.Equal(offset, v4[1]!.GetValue<string>());
        var v2 = await driver.NextAsync("v2", Upsert);
        Assert.Single(v2);
        Assert.Equal(1, v2[0]!["data"]!["n"]!.GetValue<int>());
    }

    internal static object Event(string instance, int n, string name = "MESSAGES_UPSERT") => new { @event = name, instance, data = new { n } };

    internal sealed record Received(string Target, int N, string Offset);

    /// <summary>Records the <c>(envelope, offset)</c> events of a connection, in the order received.</summary>
    internal sealed class OffsetRecorder
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
        private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

        public OffsetRecorder(HubConnection connection)
        {
            foreach (var target in new[] { Upsert, Update })
            {
                connection.On<object, string>(target, (envelope, offset) =>
                    _received.Writer.TryWrite(new Received(target, PlainJson.ToElement(envelope).GetProperty("data").GetProperty("n").GetInt32(), offset)));
            }
        }

        public async Task<IReadOnlyList<Received>> NextManyAsync(int count)
        {
            var received = new List<Received>();
            while (received.Count < count)
            {
                received.Add(await _received.Reader.ReadAsync().AsTask().WithTimeout(Wait, $"event {received.Count + 1} of {count}"));
            }

            return received;
        }
    }

    /// <summary>A SignalR connection that called <c>Resume(instance, offset)</c>.</summary>
    internal sealed class OffsetListener : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly OffsetRecorder _recorder;

        private OffsetListener(HubConnection connection)
        {
            _connection = connection;
            _recorder = new OffsetRecorder(connection);
        }

        public static async Task<OffsetListener> StartAsync(HubServer hub, string instance, string? offset)
        {
            var listener = new OffsetListener(hub.SignalR(HubServer.GlobalKey));
            await listener._connection.StartAsync();
            await listener._connection.InvokeAsync("Resume", instance, offset);
            return listener;
        }

        public Task<IReadOnlyList<Received>> NextManyAsync(int count) => _recorder.NextManyAsync(count);

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
