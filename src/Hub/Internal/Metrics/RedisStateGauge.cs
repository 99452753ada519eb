using EvolutionHub.Internal.Farm;

namespace EvolutionHub.Internal.Metrics;

/// <summary>On a farm node, <c>evolutionhub_redis_connected</c>: 1 while the node's Redis connection is up, else 0.</summary>
internal sealed class RedisStateGauge(HubMetrics metrics, RedisFarmConnection redis) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Meter.CreateObservableGauge(
            "evolutionhub.redis.connected", () => redis.IsConnected ? 1 : 0, unit: null, description: "1 while this node is connected to the farm's Redis, else 0.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
