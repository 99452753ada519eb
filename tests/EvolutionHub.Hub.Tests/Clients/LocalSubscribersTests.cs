using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.History;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// A node's subscriber table: a ramp of connections onto one instance costs each connection a constant, not a copy of
/// everyone subscribed before it, and delivery still sees exactly who is subscribed.
/// </summary>
public sealed class LocalSubscribersTests
{
    private static readonly HistoryStream Shop = HistoryStream.Of("shop");

    [Fact]
    public void Ten_thousand_connections_joining_one_stream_allocate_a_constant_each_not_the_streams_size()
    {
        const int Connections = 10_000;
        var subscribers = new LocalSubscribers();
        var connections = Enumerable.Range(0, Connections).Select(index => Connection($"c{index}")).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var connection in connections)
        {
            subscribers.Connected(connection);
            Assert.True(subscribers.TryAdd(Shop, new Subscriber(connection, WithOffsets: true, SkipThrough: null)));
        }

        var perConnection = (GC.GetAllocatedBytesForCurrentThread() - before) / Connections;

        // Copying the stream's array and the table of streams per join came to 160 KB per connection at this size.
        Assert.True(perConnection < 1024, $"{perConnection} bytes allocated per joining connection");
        Assert.Equal(Connections, subscribers.Of(Shop).Length);
    }

    [Fact]
    public void Delivery_sees_joins_removals_and_ends_as_they_happen()
    {
        var subscribers = new LocalSubscribers();
        var (first, second) = (Connection("first"), Connection("second"));
        subscribers.Connected(first);
        subscribers.Connected(second);
        Assert.Empty(subscribers.Of(Shop));

        subscribers.TryAdd(Shop, new Subscriber(first, WithOffsets: false, SkipThrough: null));
        subscribers.TryAdd(Shop, new Subscriber(second, WithOffsets: false, SkipThrough: null));
        subscribers.TryAdd(HistoryStream.Global, new Subscriber(second, WithOffsets: true, SkipThrough: null));
        Assert.Equal(["first", "second"], subscribers.Of(Shop).Select(subscriber => subscriber.Connection.ConnectionId).Order());
        Assert.Equal([HistoryStream.Global, Shop], subscribers.Streams.OrderBy(stream => stream.Instance));

        // A second join of the same stream replaces the connection's subscription.
        subscribers.TryAdd(Shop, new Subscriber(first, WithOffsets: true, SkipThrough: null));
        Assert.Equal(2, subscribers.Of(Shop).Length);
        Assert.True(subscribers.Of(Shop).Single(subscriber => subscriber.Connection == first).WithOffsets);

        subscribers.Remove(Shop, "first");
        Assert.False(subscribers.Contains(Shop, "first"));
        Assert.True(subscribers.Contains(Shop, "second"));
        Assert.Equal("second", Assert.Single(subscribers.Of(Shop)).Connection.ConnectionId);

        subscribers.Disconnected("second");
        Assert.Empty(subscribers.Of(Shop));
        Assert.Empty(subscribers.Of(HistoryStream.Global));
        Assert.Empty(subscribers.Streams);
        Assert.Null(subscribers.Find("second"));
        Assert.False(subscribers.TryAdd(Shop, new Subscriber(second, WithOffsets: false, SkipThrough: null)));
        Assert.Same(first, subscribers.Find("first"));
    }

    private static HubConnectionContext Connection(string id) =>
        new(new DefaultConnectionContext(id), new HubConnectionContextOptions(), NullLoggerFactory.Instance);
}
