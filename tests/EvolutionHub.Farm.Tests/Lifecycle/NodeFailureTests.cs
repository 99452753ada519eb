using System.Net.Http.Json;
using System.Text.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Lifecycle;

/// <summary>A node killed with SIGKILL: the others keep serving, its clients come back elsewhere, its counts go away.</summary>
public sealed class NodeFailureTests
{
    [Fact]
    public async Task Connection_counts_sum_every_node_and_forget_a_killed_one()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 3);
        var (a, b, c) = (farm[0], farm[1], farm[2]);
        await using var driver = SocketIoDriver.Start();
        var websocket = new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } };
        await FanOutTests.ConnectAsync(driver, "one-on-a", a, "/counted", websocket);
        await FanOutTests.ConnectAsync(driver, "two-on-a", a, "/counted", websocket);
        await using var signalROnB = await EventRecorder.SubscribeAsync(b.BaseUri, HubNode.GlobalKey, "counted", "messages.upsert");

        await Eventually.UntilAsync(async () => await CountOnAsync(c, "counted") == 3, TimeSpan.FromSeconds(15), "GET /api/instances on C to count 2 clients on A and 1 on B");

        await a.KillAsync();

        // The nodes of these tests run with Redis:NodeTimeoutSeconds=3: A's counts expire without A.
        await Eventually.UntilAsync(async () => await CountOnAsync(c, "counted") == 1, TimeSpan.FromSeconds(10), "the counts of the killed node A to expire (Redis:NodeTimeoutSeconds is 3)");
        await c.PublishAsync("counted", "MESSAGES_UPSERT", new { after = "kill" });
        var (name, _) = await signalROnB.NextAsync("the event published on C after A died, on B", Timeouts.Event);
        Assert.Equal("messages.upsert", name);
    }

    [Fact]
    public async Task Clients_of_a_killed_node_reconnect_through_the_balancer_to_another_and_receive_again()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        var url = balancer.Url + "/survive";
        var upgraded = await driver.ConnectAsync("default-transports", url, new { auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(upgraded?["connected"]?.GetValue<bool>(), upgraded?.ToJsonString());
        await driver.NextAsync("default-transports", "$connect");
        var websocket = await driver.ConnectAsync("websocket", url, new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(websocket?["connected"]?.GetValue<bool>(), websocket?.ToJsonString());
        await driver.NextAsync("websocket", "$connect");

        // Every client comes from 127.0.0.1, so ip_hash put both on one node: find it, and kill it.
        var owner = await OwnerAsync(farm, expected: 2);
        var survivor = farm.Nodes.Single(node => node != owner);
        await owner.KillAsync();

        foreach (var client in new[] { "default-transports", "websocket" })
        {
            await driver.NextAsync(client, "$disconnect", timeoutMs: 10000);
            // socket.io-client reconnects by itself (1–5 s back-off); nginx now sends it to the survivor.
            await driver.NextAsync(client, "$connect", timeoutMs: 30000);
        }

        Assert.Equal(2, await survivor.LocalConnectionsAsync());
        await survivor.PublishAsync("survive", "MESSAGES_UPSERT", new { after = "failover" });
        foreach (var client in new[] { "default-transports", "websocket" })
        {
            var received = await driver.NextAsync(client, "messages.upsert", timeoutMs: Timeouts.EventMs);
            Assert.Equal("failover", received[0]!["data"]!["after"]!.GetValue<string>());
        }
    }

    /// <summary>The node holding at least <paramref name="expected"/> connections (a Socket.IO v2 client also opens '/').</summary>
    internal static async Task<HubNode> OwnerAsync(HubFarm farm, int expected)
    {
        HubNode? owner = null;
        var seen = "";
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    var counts = new List<string>();
                    foreach (var node in farm.Nodes.Where(node => !node.HasExited))
                    {
                        var count = await node.LocalConnectionsAsync();
                        counts.Add($"{node.Name}: {count}");
                        if (count >= expected)
                        {
                            owner = node;
                            return true;
                        }
                    }

                    seen = string.Join(", ", counts);
                    return false;
                },
                TimeSpan.FromSeconds(15),
                $"one node to hold the {expected} balanced connections");
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Local connections last seen: {seen}.", exception);
        }

        return owner!;
    }

    internal static async Task<int> CountOnAsync(HubNode node, string instance)
    {
        var instances = await node.Http.GetFromJsonAsync<JsonElement>("/api/instances");
        return instances.EnumerateArray().Where(entry => entry.GetProperty("name").GetString() == instance)
            .Select(entry => entry.GetProperty("connections").GetInt32()).SingleOrDefault();
    }
}
