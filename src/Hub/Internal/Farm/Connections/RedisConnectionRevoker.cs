using EvolutionHub.Internal.Connections;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.Connections;

/// <summary>
/// The farm's <see cref="IConnectionRevoker"/>: cuts this node's holders of the instance's old token at once and tells
/// every other node over Redis pub/sub to cut theirs. A node cut off from Redis meanwhile misses the message (pub/sub keeps
/// nothing): <see cref="RedisCredentialRecheck"/> catches up when it sees Redis again.
/// </summary>
internal sealed class RedisConnectionRevoker(TokenRevocation revocation, RedisFarmConnection redis)
    : IConnectionRevoker, IHostedService
{
    public async ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default)
    {
        await revocation.RevokeAsync(instance);
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
        if (!instance.IsNullOrEmpty)
        {
            // It reads the store before it cuts: the handler does not wait for it (it never throws).
            _ = revocation.RevokeAsync(instance.ToString());
        }
    }
}
