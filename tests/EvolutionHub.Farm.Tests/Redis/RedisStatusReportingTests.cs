using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary>What a farm node tells its operator about Redis: the banner, the log, <c>/metrics</c> and the dashboard's summary.</summary>
public sealed partial class RedisStatusReportingTests
{
    private const string RedisPassword = "farm-redis-s3cret";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_node_reports_Redis_lost_and_back_once_each_without_stack_traces_and_never_shows_its_password()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1, redisPassword: RedisPassword);
        var node = farm[0];
        var endpoint = $"127.0.0.1:{farm.Redis.Port}";
        await UntilLogAsync(node, "Redis connected: ", "the node to log its Redis connection");
        Assert.Contains($"mode:           farm (Redis {endpoint}, database 0, prefix evolutionhub)", node.Output, StringComparison.Ordinal);
        await UntilAsync(async () => await RedisConnectedAsync(node) == 1, "evolutionhub_redis_connected 1");
        Assert.True((await SummaryAsync(node)).GetProperty("redis").GetProperty("connected").GetBoolean());

        await farm.Redis.StopAsync();
        await UntilAsync(async () => await node.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, "/health/ready to turn 503");
        for (var probe = 0; probe < 3; probe++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await node.ReadinessAsync());
        }

        await UntilAsync(async () => await RedisConnectedAsync(node) == 0, "evolutionhub_redis_connected 0");
        var summary = await SummaryAsync(node);
        Assert.False(summary.GetProperty("redis").GetProperty("connected").GetBoolean());
        Assert.Equal(endpoint, summary.GetProperty("redis").GetProperty("endpoints").GetString());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("instances").ValueKind);

        await farm.Redis.StartAgainAsync();
        await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await UntilLogAsync(node, "Ready again.", "the node to log that it is ready again");
        await UntilAsync(async () => await RedisConnectedAsync(node) == 1, "evolutionhub_redis_connected 1 again");

        var output = node.Output;
        Assert.Equal(1, Count(output, "Redis connection lost ("));
        Assert.Equal(1, Count(output, "Redis connection back: "));
        Assert.Equal(1, Count(output, "Not ready (Unhealthy): "));
        Assert.Equal(1, Count(output, "Ready again."));
        Assert.DoesNotContain("Microsoft.Extensions.Diagnostics.HealthChecks", output, StringComparison.Ordinal);
        Assert.DoesNotContain(RedisPassword, output, StringComparison.Ordinal);
        Assert.False(StackTraceLine().IsMatch(output), output);
    }

    private static int Count(string text, string what) => Regex.Count(text, Regex.Escape(what));

    private static async Task<double> RedisConnectedAsync(HubNode node)
    {
        var match = RedisConnectedGauge().Match(await node.Http.GetStringAsync("/metrics"));
        return match.Success ? double.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    private static async Task<JsonElement> SummaryAsync(HubNode node) =>
        JsonDocument.Parse(await node.Http.GetStringAsync("/api/dashboard/summary")).RootElement.Clone();

    private static Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, Wait, what);

    private static Task UntilLogAsync(HubNode node, string line, string what) =>
        Eventually.UntilAsync(() => Task.FromResult(node.Output.Contains(line, StringComparison.Ordinal)), Wait, $"{what}\n{node.Output}");

    [GeneratedRegex(@"^evolutionhub_redis_connected(\{\})? (?<n>\d+)", RegexOptions.Multiline)]
    private static partial Regex RedisConnectedGauge();

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTraceLine();
}
