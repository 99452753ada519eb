using EvolutionHub.Farm.Tests.Infrastructure;

namespace EvolutionHub.Farm.Tests;

/// <summary>A node stops cleanly when told to, even while Redis does not answer its last calls.</summary>
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
}
