using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// The node's one connection to the farm's Redis, shared by the backplane, the store, the tracker and the revoker, and
/// whether Redis serves the farm: connected, and taking writes. A Redis that answers but refuses them (full with
/// <c>noeviction</c>, a read-only replica, still loading its data …) is an outage like an unreachable one.
/// </summary>
internal sealed partial class RedisFarmConnection(IConnectionMultiplexer multiplexer, RedisKeys keys, ILogger<RedisFarmConnection> logger)
{
    private static readonly TimeSpan WriteProbeExpiry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(3);

    // The server errors that say Redis cannot serve now rather than that a command was wrong.
    private static readonly string[] RefusalCodes = ["OOM", "READONLY", "LOADING", "MASTERDOWN", "BUSY", "MISCONF", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN", "NOAUTH"];

    private volatile Exception? _refusal;

    public IConnectionMultiplexer Multiplexer => multiplexer;

    public RedisKeys Keys => keys;

    public IDatabase Database => multiplexer.GetDatabase();

    public bool IsConnected => multiplexer.IsConnected;

    /// <summary>Connected, and its last write went through.</summary>
    public bool IsAvailable => multiplexer.IsConnected && _refusal is null;

    /// <summary>Why Redis refuses the farm's commands while it does, else null.</summary>
    public Exception? Refusal => _refusal;

    /// <summary>Fails at once while Redis is away or refuses writes, rather than queueing the command until it times out.</summary>
    /// <exception cref="FarmUnavailableException">Redis is unreachable or refuses writes.</exception>
    public void EnsureAvailable()
    {
        if (!multiplexer.IsConnected)
        {
            throw new FarmUnavailableException();
        }

        if (_refusal is { } refusal)
        {
            throw new FarmUnavailableException(refusal);
        }
    }

    /// <summary>Runs a command against Redis; a lost connection or a refusal becomes <see cref="FarmUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        EnsureAvailable();
        try
        {
            return await command(Database);
        }
        catch (RedisServerException exception) when (IsRefusal(exception))
        {
            Refused(exception);
            throw new FarmUnavailableException(exception);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            throw new FarmUnavailableException(exception);
        }
    }

    /// <summary>
    /// Writes a key that expires by itself: Redis is available again once it takes it, and refuses while it answers with an
    /// error. Never throws; unreachable Redis is left to the multiplexer, which reconnects by itself.
    /// </summary>
    public async Task ProbeWritesAsync()
    {
        if (!multiplexer.IsConnected)
        {
            return;
        }

        try
        {
            await Database.StringSetAsync(keys.WriteProbe, "1", WriteProbeExpiry);
            if (_refusal is not null)
            {
                _refusal = null;
                Log.Accepting(logger);
            }
        }
        catch (Exception exception) when ((exception is RedisServerException or RedisConnectionException) && multiplexer.IsConnected)
        {
            // Connected, yet the write is refused, or no connected server takes writes (a primary that became a replica).
            Refused(exception);
        }
        catch (Exception)
        {
            // Gone meanwhile, or slow: whether it takes writes is for the next probe to say. The probe runs in a background
            // service, which must not stop the node whatever happens.
        }
    }

    /// <summary>
    /// Publishes on a fresh channel and waits for the message to come back through this node's subscription connection.
    /// After an outage that proves the reconnection and the restored subscriptions (resent before the new one), not just a socket.
    /// </summary>
    /// <exception cref="RedisException">Redis did not echo.</exception>
    /// <exception cref="TimeoutException">Redis did not echo in time.</exception>
    public async Task EchoAsync(CancellationToken cancellationToken)
    {
        var subscriber = multiplexer.GetSubscriber();
        var channel = keys.ReadinessProbe(Guid.NewGuid().ToString("N"));
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await subscriber.SubscribeAsync(channel, (_, _) => echoed.TrySetResult());
            await subscriber.PublishAsync(channel, "ready?");
            await echoed.Task.WaitAsync(EchoTimeout, cancellationToken);
        }
        finally
        {
            subscriber.Unsubscribe(channel, flags: CommandFlags.FireAndForget);
        }
    }

    private static bool IsRefusal(RedisServerException exception) =>
        RefusalCodes.Any(code => exception.Message.StartsWith(code, StringComparison.Ordinal)
            && (exception.Message.Length == code.Length || exception.Message[code.Length] == ' '));

    private void Refused(Exception exception)
    {
        if (_refusal is null)
        {
            Log.Refusing(logger, exception);
        }

        _refusal = exception;
    }
}
