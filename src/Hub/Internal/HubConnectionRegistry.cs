using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal;

/// <summary>This node's live hub connections that authenticated with an instance token, so revocation can cut them.</summary>
public sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string Instance)> _connections = new(StringComparer.Ordinal);

    public void Add(HubCallerContext context, string tokenInstance) => _connections[context.ConnectionId] = (context, tokenInstance);

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Aborts every connection holding <paramref name="instance"/>'s token; returns how many.</summary>
    public int AbortTokenHolders(string instance)
    {
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
