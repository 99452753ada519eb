using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// This node's live hub connections that authenticated with an instance token, each with the hash of its token, so that
/// a revocation or a rotation cuts the holders of a token that is no longer their instance's, and no other.
/// </summary>
/// <remarks>
/// A revocation that lands between a connection's token lookup and its registration is caught by the revocation mark:
/// the connection takes <see cref="RevocationMark"/> before it looks its token up, and <see cref="Add"/> says whether its
/// instance's holders were checked since; the connection's own token must then be checked again.
/// </remarks>
internal sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, TokenHolder> _holders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _checkedAt = new(StringComparer.Ordinal);
    private long _checks;

    /// <summary>Where the sequence of revocations stands: take it before looking a token up.</summary>
    public long RevocationMark => Interlocked.Read(ref _checks);

    /// <summary>The instances that have token holders on this node.</summary>
    public IReadOnlyCollection<string> Instances => [.. _holders.Values.Select(holder => holder.Instance).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Registers a token holder. True when its instance's holders were checked against the store after
    /// <paramref name="mark"/>: that check may have missed this one, whose token must be checked again.
    /// </summary>
    public bool Add(HubCallerContext context, string instance, string tokenHash, long mark)
    {
        _holders[context.ConnectionId] = new TokenHolder(context, instance, tokenHash);
        return _checkedAt.TryGetValue(instance, out var checkedAt) && checkedAt > mark;
    }

    public void Remove(string connectionId) => _holders.TryRemove(connectionId, out _);

    /// <summary>
    /// Aborts the connections holding a token of <paramref name="instance"/> other than the one whose hash is
    /// <paramref name="currentTokenHash"/> (all of them when it is null: the instance has no token); returns how many.
    /// </summary>
    public int AbortHoldersExcept(string instance, string? currentTokenHash)
    {
        _checkedAt[instance] = Interlocked.Increment(ref _checks);
        var aborted = 0;
        foreach (var (connectionId, holder) in _holders)
        {
            if (holder.Instance == instance && holder.TokenHash != currentTokenHash && _holders.TryRemove(connectionId, out _))
            {
                holder.Context.Abort();
                aborted++;
            }
        }

        return aborted;
    }

    private sealed record TokenHolder(HubCallerContext Context, string Instance, string TokenHash);
}
