namespace EvolutionHub.Internal.Connections;

/// <summary>
/// Counts, per instance, the Socket.IO namespace connections and SignalR subscriptions. Local on one node;
/// the farm sums over every node.
/// </summary>
internal interface IConnectionTracker
{
    ValueTask TrackAsync(string instance, string connectionId);

    ValueTask UntrackAsync(string instance, string connectionId);

    ValueTask<IReadOnlyDictionary<string, int>> GetCountsAsync(CancellationToken cancellationToken = default);
}
