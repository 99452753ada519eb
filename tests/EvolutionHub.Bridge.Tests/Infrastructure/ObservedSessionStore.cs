using System.Threading.Channels;
using EvolutionHub.Bridge.Internal.SocketIO;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using EvolutionHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>
/// The bridge's in-memory session store, telling the test when a socket's record has been saved: at its CONNECT, then
/// when its session closed for a recoverable reason (and on each refresh, every quarter of the window).
/// </summary>
public sealed class ObservedSessionStore : ISocketIoSessionStore
{
    private readonly MemorySocketIoSessionStore _inner;

    private ObservedSessionStore(MemorySocketIoSessionStore inner) => _inner = inner;

    public Channel<SocketIoSessionRecord> Saved { get; } = Channel.CreateUnbounded<SocketIoSessionRecord>();

    /// <summary>The records held.</summary>
    public int Count => _inner.Count;

    /// <summary>The next record saved, within 10 s.</summary>
    public Task<SocketIoSessionRecord> NextSaveAsync(string what) =>
        Saved.Reader.ReadAsync().AsTask().WithTimeout(TimeSpan.FromSeconds(10), what);

    /// <summary>Registers the store; the server's instance is <c>Services.GetRequiredService&lt;ObservedSessionStore&gt;()</c>.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(provider => new ObservedSessionStore(ActivatorUtilities.CreateInstance<MemorySocketIoSessionStore>(provider)));
        services.AddSingleton<ISocketIoSessionStore>(provider => provider.GetRequiredService<ObservedSessionStore>());
    }

    public async ValueTask SaveAsync(SocketIoSessionRecord session, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        await _inner.SaveAsync(session, timeToLive, cancellationToken);
        Saved.Writer.TryWrite(session);
    }

    public ValueTask<SocketIoSessionRecord?> TakeAsync(string pid, CancellationToken cancellationToken) => _inner.TakeAsync(pid, cancellationToken);
}

/// <summary>The system clock, moved forward by <see cref="Shift"/> (timers are the system's).</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
