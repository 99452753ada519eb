using StackExchange.Redis;

namespace EvolutionHub.Internal.Redis;

/// <summary>
/// The farm's <see cref="IConnectionRevoker"/>: cuts this node's token holders at once and tells every other node over
/// Redis pub/sub to cut theirs.
/// </summary>
public sealed partial class RedisConnectionRevoker(HubConnectionRegistry registry, RedisFarmConnection redis, ILogger<RedisConnectionRevoker> logger)
    : IConnectionRevoker, IHostedService
{
    public async ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default)
    {
        registry.AbortTokenHolders(instance);
        await redis.RunAsync(_ => redis.Multiplexer.GetSubscriber().PublishAsync(redis.Keys.Revocations, instance));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Fire and forget: the subscription is remembered and sent (again) whenever Redis connects, so a node may start while Redis is away.
        redis.Multiplexer.GetSubscriber().Subscribe(redis.Keys.Revocations, OnRevocation, CommandFlags.FireAndForget);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Fire and forget as well: a node that stops while Redis is away (or going) must not wait for it, nor fail.
        redis.Multiplexer.GetSubscriber().Unsubscribe(redis.Keys.Revocations, OnRevocation, CommandFlags.FireAndForget);
        return Task.CompletedTask;
    }

    private void OnRevocation(RedisChannel channel, RedisValue instance)
    {
        if (instance.IsNullOrEmpty)
        {
            return;
        }

        var aborted = registry.AbortTokenHolders(instance.ToString());
        if (aborted > 0)
        {
            Log.Revoked(logger, aborted, instance.ToString());
        }
    }
}
