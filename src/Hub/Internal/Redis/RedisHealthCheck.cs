using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Redis;

/// <summary>
/// Readiness on a farm: a message published on a fresh channel comes back through this node's subscription connection.
/// After an outage that proves the reconnection and the restored subscriptions (resent before the new one), not just a socket.
/// </summary>
public sealed class RedisHealthCheck(RedisFarmConnection redis) : IHealthCheck
{
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.");
        }

        var subscriber = redis.Multiplexer.GetSubscriber();
        var channel = redis.Keys.ReadinessProbe(Guid.NewGuid().ToString("N"));
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await subscriber.SubscribeAsync(channel, (_, _) => echoed.TrySetResult());
            await subscriber.PublishAsync(channel, "ready?");
            await echoed.Task.WaitAsync(EchoTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not echo a pub/sub message.", exception);
        }
        finally
        {
            subscriber.Unsubscribe(channel, flags: CommandFlags.FireAndForget);
        }
    }
}
