using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.SocketIO.Recovery;

/// <summary>
/// The default <see cref="ISocketIoSessionStore"/>: this process only, at most
/// <see cref="SocketIoConnectionStateRecoveryOptions.MaxStoredSessions"/> sessions, the oldest forgotten first, each until
/// its time to live has passed.
/// </summary>
internal sealed class MemorySocketIoSessionStore(IOptions<SocketIoOptions> options, TimeProvider time) : ISocketIoSessionStore
{
    private readonly int _capacity = Math.Max(1, options.Value.ConnectionStateRecovery.MaxStoredSessions);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byPid = new(StringComparer.Ordinal);

    // Oldest first: saves come in time order, so the expired ones are at the front.
    private readonly LinkedList<Entry> _bySaveTime = new();

    public bool OutlivesProcess => false;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byPid.Count;
            }
        }
    }

    public ValueTask SaveAsync(SocketIoSessionRecord session, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            RemoveExpired(now);
            if (_byPid.Remove(session.Pid, out var previous))
            {
                _bySaveTime.Remove(previous);
            }

            while (_byPid.Count >= _capacity)
            {
                Remove(_bySaveTime.First!);
            }

            _byPid[session.Pid] = _bySaveTime.AddLast(new Entry(session, now + timeToLive));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<SocketIoSessionRecord?> TakeAsync(string pid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            RemoveExpired(now);
            if (!_byPid.TryGetValue(pid, out var node))
            {
                return ValueTask.FromResult<SocketIoSessionRecord?>(null);
            }

            Remove(node);
            return ValueTask.FromResult(node.Value.ExpiresAt > now ? node.Value.Session : null);
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        while (_bySaveTime.First is { } oldest && oldest.Value.ExpiresAt <= now)
        {
            Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _bySaveTime.Remove(node);
        _byPid.Remove(node.Value.Session.Pid);
    }

    private sealed record Entry(SocketIoSessionRecord Session, DateTimeOffset ExpiresAt);
}
