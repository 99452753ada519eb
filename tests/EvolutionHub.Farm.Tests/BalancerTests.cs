using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests;

/// <summary>
/// Long-polling behind nginx with <c>ip_hash</c>: every request of an Engine.IO session must reach the node that holds it.
/// The events come from the other node, so what is received crossed the backplane too.
/// </summary>
public sealed class BalancerTests
{
    [Fact]
    public async Task SocketIo_clients_through_nginx_poll_then_upgrade_and_receive_events_published_on_the_other_node()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        var url = balancer.Url + "/sticky";

        var upgrading = await driver.ConnectAsync("default-transports", url, new { auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(upgrading?["connected"]?.GetValue<bool>(), upgrading?.ToJsonString());
        // Default transports: the session opens over polling and upgrades; both legs must reach the same node.
        await driver.WaitUpgradeAsync("default-transports");

        var polling = await driver.ConnectAsync("polling-only", url, new { transports = new[] { "polling" }, auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(polling?["connected"]?.GetValue<bool>(), polling?.ToJsonString());
        var v2 = await driver.ConnectAsync("v2-default-transports", url, new { query = new { apikey = HubNode.GlobalKey } }, version: 2, timeoutMs: Timeouts.ConnectMs);
        Assert.True(v2?["connected"]?.GetValue<bool>(), v2?.ToJsonString());

        var owner = await NodeFailureTests.OwnerAsync(farm, expected: 3);
        var other = farm.Nodes.Single(node => node != owner);
        for (var n = 1; n <= 10; n++)
        {
            await other.PublishAsync("sticky", "MESSAGES_UPSERT", new { n });
        }

        foreach (var client in new[] { "default-transports", "polling-only", "v2-default-transports" })
        {
            var events = await driver.NextManyAsync(client, "messages.upsert", 10, timeoutMs: Timeouts.EventMs);
            Assert.Equal(Enumerable.Range(1, 10), events.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
            Assert.True((await driver.StateAsync(client))?["connected"]?.GetValue<bool>(), $"{client} lost its session behind nginx");
        }

        Assert.Equal("websocket", (await driver.StateAsync("default-transports"))?["transport"]?.GetValue<string>());
        Assert.Equal("polling", (await driver.StateAsync("polling-only"))?["transport"]?.GetValue<string>());
    }
}
