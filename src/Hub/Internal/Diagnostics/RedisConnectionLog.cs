using EvolutionHub.Internal.Farm;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Diagnostics;

/// <summary>
/// On a farm node, one entry when Redis is first connected, one when the connection is lost and one when it is back, however
/// many of the multiplexer's connections (commands, pub/sub) report the change.
/// </summary>
internal sealed partial class RedisConnectionLog(RedisFarmConnection redis, ILogger<RedisConnectionLog> logger) : IHostedService
{
    private readonly Lock _lock = new();
    private State _state;

    private enum State
    {
        NeverConnected,
        Connected,
        Lost,
    }

    private string Endpoints => RedisEndpoints.Describe(redis.Multiplexer.GetEndPoints());

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.Multiplexer.ConnectionFailed += OnConnectionFailed;
        redis.Multiplexer.ConnectionRestored += OnConnectionRestored;
        if (redis.IsConnected)
        {
            OnConnected();
        }
        else
        {
            Log.Unreachable(logger, Endpoints);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.Multiplexer.ConnectionFailed -= OnConnectionFailed;
        redis.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        return Task.CompletedTask;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_lock)
        {
            if (_state != State.Connected)
            {
                return;
            }

            _state = State.Lost;
        }

        Log.Lost(logger, RedisEndpoints.Describe(e.EndPoint), e.FailureType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (redis.IsConnected)
        {
            OnConnected();
        }
    }

    private void OnConnected()
    {
        State previous;
        lock (_lock)
        {
            previous = _state;
            _state = State.Connected;
        }

        switch (previous)
        {
            case State.NeverConnected:
                Log.Connected(logger, Endpoints);
                break;
            case State.Lost:
                Log.Restored(logger, Endpoints);
                break;
        }
    }
}
