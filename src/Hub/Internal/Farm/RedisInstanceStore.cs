using System.Text.Json;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Farm.History;
using EvolutionHub.Internal.Instances;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// The farm's <see cref="IInstanceStore"/>: every read and write goes to Redis, so each node sees the others' changes at once.
/// Tokens are indexed by their SHA-256; the scripts keep the three token hashes consistent and tokens unique across instances.
/// </summary>
internal sealed class RedisInstanceStore(RedisFarmConnection redis) : IInstanceStore
{
    // KEYS: tokens, token-owners, token-hashes. ARGV: instance, token, SHA-256 of token.
    private const string SetTokenScript = """
        local holder = redis.call('HGET', KEYS[2], ARGV[3])
        if holder then
          if holder == ARGV[1] then return 'unchanged' end
          return 'conflict'
        end
        local previous = redis.call('HGET', KEYS[3], ARGV[1])
        if previous then redis.call('HDEL', KEYS[2], previous) end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
        if previous then return 'rotated' end
        return 'created'
        """;

    // KEYS: tokens, token-owners, token-hashes. ARGV: instance.
    private const string DeleteTokenScript = """
        local hash = redis.call('HGET', KEYS[3], ARGV[1])
        if not hash then return 0 end
        redis.call('HDEL', KEYS[2], hash)
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        return 1
        """;

    // KEYS: token-owners, tokens. ARGV: SHA-256 of the presented token. Returns {instance, its token} or nil.
    private const string FindByTokenScript = """
        local instance = redis.call('HGET', KEYS[1], ARGV[1])
        if not instance then return nil end
        return {instance, redis.call('HGET', KEYS[2], instance)}
        """;

    // KEYS: settings. ARGV: instance, its settings, the events channel, the message that tells the nodes the filter changed.
    // Published on the events channel, so that every node applies the new filter from the same point of the event stream on.
    private const string SetSettingsScript = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        """;

    private RedisKeys Keys => redis.Keys;

    public async ValueTask<string?> GetTokenAsync(string instance, CancellationToken cancellationToken = default) =>
        await ReadAsync(db => db.HashGetAsync(Keys.Tokens, instance), cancellationToken) is { IsNull: false } token ? token.ToString() : null;

    public async ValueTask<string?> FindInstanceByTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        var result = await ReadAsync(db => db.ScriptEvaluateAsync(FindByTokenScript, [Keys.TokenOwners, Keys.Tokens], [TokenHash.Of(token)]), cancellationToken);
        if (result.IsNull || (RedisValue[]?)result is not [var instance, var stored] || stored.IsNull)
        {
            return null;
        }

        return SecretComparer.Equal(stored.ToString(), token) ? instance.ToString() : null;
    }

    public async ValueTask<TokenChange> SetTokenAsync(string instance, string token, CancellationToken cancellationToken = default)
    {
        var result = await WriteAsync(db => db.ScriptEvaluateAsync(
            SetTokenScript, [Keys.Tokens, Keys.TokenOwners, Keys.TokenHashes], [instance, token, TokenHash.Of(token)]), cancellationToken);
        return result.ToString() switch
        {
            "created" => TokenChange.Created,
            "rotated" => TokenChange.Rotated,
            "unchanged" => TokenChange.Unchanged,
            _ => TokenChange.Conflict,
        };
    }

    public async ValueTask<bool> DeleteTokenAsync(string instance, CancellationToken cancellationToken = default) =>
        (int)await WriteAsync(db => db.ScriptEvaluateAsync(DeleteTokenScript, [Keys.Tokens, Keys.TokenOwners, Keys.TokenHashes], [instance]), cancellationToken) == 1;

    public async ValueTask<IReadOnlyCollection<string>> GetRegisteredInstancesAsync(CancellationToken cancellationToken = default) =>
        [.. (await ReadAsync(db => db.HashKeysAsync(Keys.Tokens), cancellationToken)).Select(name => name.ToString())];

    public async ValueTask<WebsocketSettings?> GetSettingsAsync(string instance, CancellationToken cancellationToken = default)
    {
        var json = await ReadAsync(db => db.HashGetAsync(Keys.Settings, instance), cancellationToken);
        return json.IsNull ? null : JsonSerializer.Deserialize<StoredSettings>(json.ToString()) is { } stored
            ? new WebsocketSettings(stored.Enabled, stored.Events)
            : null;
    }

    public async ValueTask SetSettingsAsync(string instance, WebsocketSettings settings, CancellationToken cancellationToken = default)
    {
        RedisValue[] arguments =
        [
            instance,
            JsonSerializer.Serialize(new StoredSettings(settings.Enabled, [.. settings.Events])),
            Keys.EventsChannelName,
            RedisEventFeed.FilterChangedMessage(instance),
        ];
        await WriteAsync(db => db.ScriptEvaluateAsync(SetSettingsScript, [Keys.Settings], arguments), cancellationToken);
    }

    public async ValueTask CheckAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(db => db.PingAsync(), cancellationToken);

    /// <summary>
    /// A read the caller may stop waiting for (StackExchange.Redis takes no token per command): a request gone or a fan-out
    /// past its send timeout is not held up until Redis answers or the command times out, and the answer goes to no one.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await redis.RunAsync(command).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// A write is not started for a caller already gone, and not abandoned once sent: it may apply all the same, and the
    /// caller goes on from whether it did (a rotated token's clients are disconnected after the rotation, say).
    /// </summary>
    private Task<T> WriteAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return redis.RunAsync(command);
    }

    private sealed record StoredSettings(bool Enabled, string[] Events);
}
