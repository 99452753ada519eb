using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal;

/// <summary>
/// This node's live hub connections that authenticated with an instance token, so revocation can cut them. A revocation
/// that lands between a connection's token lookup and its registration is caught by the revocation mark: the
/// connection takes <see cref="RevocationMark"/> before it looks its token up, and <see cref="TryAdd"/> refuses it if
/// its instance was revoked since.
/// </summary>
public sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string Instance)> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _revokedAt = new(StringComparer.Ordinal);
    private long _revocations;

    /// <summary>Where the sequence of revocations stands: take it before looking a token up.</summary>
    public long RevocationMark => Interlocked.Read(ref _revocations);

    /// <summary>Registers a token holder; false, and not registered, if its instance was revoked after <paramref name="mark"/>.</summary>
    public bool TryAdd(HubCallerContext context, string tokenInstance, long mark)
    {
        _connections[context.ConnectionId] = (context, tokenInstance);
        if (_revokedAt.TryGetValue(tokenInstance, out var revokedAt) && revokedAt > mark)
        {
            _connections.TryRemove(context.ConnectionId, out _);
            return false;
        }

        return true;
    }

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Aborts every connection holding <paramref name="instance"/>'s token; returns how many.</summary>
    public int AbortTokenHolders(string instance)
    {
        _revokedAt[instance] = Interlocked.Increment(ref _revocations);
        var aborted = 0;
        foreach (var (connectionId, entry) in _connections)
        {
            if (entry.Instance == instance && _connections.TryRemove(connectionId, out _))
            {
                entry.Context.Abort();
                aborted++;
            }
        }

        return aborted;
    }
}
