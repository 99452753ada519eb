using System.Net;
using EvolutionHub.Farm.Tests.Infrastructure;

namespace EvolutionHub.Farm.Tests;

/// <summary>Farms that share one Redis under different <c>Redis:Prefix</c> values share nothing, events included.</summary>
public sealed class FarmIsolationTests
{
    [Fact]
    public async Task Two_farms_with_different_prefixes_on_one_Redis_do_not_receive_each_others_events()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var first = farm[0];
        var second = await farm.StartNodeAsync("other-farm", waitReady: true, new Dictionary<string, string> { ["Redis:Prefix"] = "other-farm" });
        await using var onFirst = await EventRecorder.SubscribeAsync(first.BaseUri, HubNode.GlobalKey, "orders", "messages.upsert");
        await using var onSecond = await EventRecorder.SubscribeAsync(second.BaseUri, HubNode.GlobalKey, "orders", "messages.upsert");

        await first.PublishAsync("orders", "messages.upsert", new { farm = "first" });
        // Its own listener has it: whatever Redis carried for it has been carried.
        Assert.Equal("first", (await onFirst.NextEnvelopeAsync("messages.upsert")).GetProperty("data").GetProperty("farm").GetString());

        using var response = await second.PostEventsAsync(new { @event = "messages.upsert", instance = "orders", data = new { farm = "second" } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var firstOnSecond = await onSecond.NextEnvelopeAsync("messages.upsert");
        Assert.Equal("second", firstOnSecond.GetProperty("data").GetProperty("farm").GetString());
    }
}
