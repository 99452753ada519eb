using System.Text.Json;
using EvolutionHub.Internal.Dispatch;

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
