using StackExchange.Redis;

namespace EvolutionHub.Internal.Redis;

/// <summary>The node's one connection to the farm's Redis, shared by the backplane, the store, the tracker and the revoker.</summary>
public sealed class RedisFarmConnection(IConnectionMultiplexer multiplexer, RedisKeys keys)
{
    public IConnectionMultiplexer Multiplexer => multiplexer;

    public RedisKeys Keys => keys;

    public IDatabase Database => multiplexer.GetDatabase();

    public bool IsConnected => multiplexer.IsConnected;

    /// <summary>Fails at once while Redis is away, rather than queueing the command until it times out.</summary>
    /// <exception cref="FarmUnavailableException">Redis is unreachable.</exception>
    public void EnsureConnected()
    {
        if (!multiplexer.IsConnected)
        {
            throw new FarmUnavailableException();
        }
    }

    /// <summary>Runs a command against Redis; a lost connection becomes <see cref="FarmUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        EnsureConnected();
        try
        {
            return await command(Database);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            throw new FarmUnavailableException(exception);
        }
    }
}
