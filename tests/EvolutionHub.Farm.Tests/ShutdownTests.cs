using System.Diagnostics;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests;

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
        var exitCode = await node.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(exitCode == 0, $"the node stopped with exit code {exitCode} (137: still running after 15 s)\n{node.Output}");
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
