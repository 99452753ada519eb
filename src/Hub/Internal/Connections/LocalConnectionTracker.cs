using System.Collections.Concurrent;

namespace EvolutionHub.Internal.Connections;

/// <summary>The single node's <see cref="IConnectionTracker"/>.</summary>
internal sealed class LocalConnectionTracker : IConnectionTracker
{
    private readonly ConcurrentDictionary<(string Instance, string ConnectionId), byte> _entries = new();

    public ValueTask TrackAsync(string instance, string connectionId)
    {
        _entries.TryAdd((instance, connectionId), 0);
        return ValueTask.CompletedTask;
    }

    public ValueTask UntrackAsync(string instance, string connectionId)
    {
        _entries.TryRemove((instance, connectionId), out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, int>> GetCountsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, int>>(
            _entries.Keys.GroupBy(entry => entry.Instance, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
}
