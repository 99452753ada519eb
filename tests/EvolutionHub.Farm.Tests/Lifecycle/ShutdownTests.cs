using System.Diagnostics;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Lifecycle;

/// <summary>A node stops cleanly and promptly when told to, even with clients connected or while Redis does not answer its last calls.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task A_node_stopped_while_Redis_does_not_answer_exits_cleanly()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var node = farm[0];

        // Redis holds every client's commands for 20 s: the node's last writes on the way out time out instead of completing.
        await farm.Redis.CliAsync("CLIENT", "PAUSE", "20000", "ALL");
        var stopping = Stopwatch.StartNew();
        var exitCode = await node.StopAsync(TimeSpan.FromSeconds(10));

        Assert.True(exitCode == 0, $"the node stopped with exit code {exitCode} after {stopping.Elapsed.TotalSeconds:F1} s (137: still running after 10 s)\n{node.Output}");
    }

    [Fact]
    public async Task A_node_told_to_stop_takes_its_connection_counts_out_of_Redis_before_it_exits()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var other = farm[0];
        // Counts of a node that went away without a word last a minute: only the stop itself can remove them in time.
        var stopped = await farm.StartNodeAsync("B", waitReady: true, new Dictionary<string, string> { ["Redis__NodeTimeoutSeconds"] = "60" });
        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "socket-io", stopped, "/handed-back", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalR = await EventRecorder.SubscribeAsync(stopped.BaseUri, HubNode.GlobalKey, "handed-back", "messages.upsert");
        await Eventually.UntilAsync(async () => await NodeFailureTests.CountOnAsync(other, "handed-back") == 2, TimeSpan.FromSeconds(15), "GET /api/instances on A to count the 2 clients of B");

        var exitCode = await stopped.StopAsync(TimeSpan.FromSeconds(10));

        Assert.True(exitCode == 0, $"node B stopped with exit code {exitCode}\n{stopped.Output}");
        Assert.Equal(0, await NodeFailureTests.CountOnAsync(other, "handed-back"));
    }

    [Fact]
    public async Task A_node_told_to_stop_closes_its_Socket_IO_transports_so_that_clients_reconnect_and_exits_within_10_seconds()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var node = farm[0];
        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "websocket", node, "/rolling", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await FanOutTests.ConnectAsync(driver, "polling", node, "/rolling", new { transports = new[] { "polling" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalR = await EventRecorder.SubscribeAsync(node.BaseUri, HubNode.GlobalKey, "rolling", "messages.upsert");

        var stopping = Stopwatch.StartNew();
        var exitCode = await node.StopAsync(TimeSpan.FromSeconds(10));

        Assert.True(exitCode == 0, $"the node stopped with exit code {exitCode} after {stopping.Elapsed.TotalSeconds:F1} s (137: still running after 10 s)\n{node.Output}");
        foreach (var client in new[] { "websocket", "polling" })
        {
            // "io server disconnect" (a Socket.IO DISCONNECT) would stop socket.io-client from reconnecting.
            var reason = (await driver.NextAsync(client, "$disconnect"))[0]?.GetValue<string>();
            Assert.True(reason is "transport close" or "transport error", $"the {client} client was disconnected with \"{reason}\"");
        }
    }
}
