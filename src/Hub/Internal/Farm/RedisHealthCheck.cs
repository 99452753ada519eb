using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// Readiness on a farm: Redis takes writes, and a message published on a fresh channel comes back through this node's
/// subscription connection.
/// </summary>
internal sealed class RedisHealthCheck(RedisFarmConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.");
        }

        if (redis.Refusal is { } refusal)
        {
            return HealthCheckResult.Unhealthy("Redis refuses writes.", refusal);
        }

        try
        {
            await redis.EchoAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not echo a pub/sub message.", exception);
        }
    }
}
