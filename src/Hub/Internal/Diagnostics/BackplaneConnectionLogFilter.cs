using Microsoft.AspNetCore.SignalR.StackExchangeRedis;

namespace EvolutionHub.Internal.Diagnostics;

/// <summary>
/// The Redis backplane's logger, less the backplane's own entries about the node's Redis connection (not connected, failed,
/// restored): <see cref="RedisConnectionLog"/> reports those once each, without a stack trace.
/// </summary>
/// <remarks>
/// The backplane logs a failure as an Error with the multiplexer's failure exception. That exception carries the socket
/// error's stack trace when the connection was reset, and it is the very instance the multiplexer fails the commands in
/// flight with: whoever awaits one of those (the readiness probe's pub/sub echo, a store read) rethrows it and adds its own
/// frames to it, so whether the entry showed a stack trace depended on which thread got there first.
/// </remarks>
internal sealed class BackplaneConnectionLogFilter(ILoggerFactory loggerFactory) : ILogger<RedisHubLifetimeManager<EventsHub>>
{
    // The backplane's event names (its event ids 7, 8 and 9).
    private static readonly HashSet<string> ConnectionEvents = new(["NotConnected", "ConnectionFailed", "ConnectionRestored"], StringComparer.Ordinal);

    private readonly ILogger _backplane = loggerFactory.CreateLogger<RedisHubLifetimeManager<EventsHub>>();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _backplane.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _backplane.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name is null || !ConnectionEvents.Contains(eventId.Name))
        {
            _backplane.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
