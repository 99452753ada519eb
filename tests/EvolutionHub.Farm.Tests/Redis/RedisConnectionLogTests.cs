using System.Net;
using System.Text.RegularExpressions;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary>
/// A node's log of a Redis connection that breaks with a reset (a socket error, not Redis closing it), while readiness
/// probes are in flight: the node's own lines, once each, and no stack trace from anyone.
/// </summary>
public sealed partial class RedisConnectionLogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_reset_Redis_connection_is_logged_lost_and_back_once_each_without_a_stack_trace()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 0);
        var relay = farm.StartRelay();
        var node = await farm.StartNodeAsync("A", waitReady: true, relay: relay);
        await UntilLogAsync(node, "Redis connected: ", "the node to log its Redis connection");

        // Probes keep the readiness check's pub/sub echo in flight when the connection breaks.
        using var probing = new CancellationTokenSource();
        var probes = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ProbeUntilAsync(node, probing.Token)));
        relay.Sever();
        await UntilLogAsync(node, "Redis connection lost (", "the node to log the lost connection");
        await Eventually.UntilAsync(async () => await node.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, Wait, "/health/ready to turn 503");
        relay.Restore();
        await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await UntilLogAsync(node, "Ready again.", "the node to log that it is ready again");
        await probing.CancelAsync();
        await probes;

        var output = node.Output;
        Assert.Equal(1, Regex.Count(output, Regex.Escape("Redis connection lost (")));
        Assert.Equal(1, Regex.Count(output, Regex.Escape("Redis connection back: ")));
        Assert.DoesNotContain("Connection to Redis failed", output, StringComparison.Ordinal);
        Assert.False(StackTraceLine().IsMatch(output), output);
    }

    private static async Task ProbeUntilAsync(HubNode node, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await node.ReadinessAsync();
        }
    }

    private static Task UntilLogAsync(HubNode node, string line, string what) =>
        Eventually.UntilAsync(() => Task.FromResult(node.Output.Contains(line, StringComparison.Ordinal)), Wait, $"{what}\n{node.Output}");

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTraceLine();
}
