using EvolutionHub.Internal.Connections;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>Passes every subscription change to the node's tracker and to <see cref="NodeConnections"/>.</summary>
internal sealed class SubscriptionCountingConnectionTracker(IConnectionTracker inner, NodeConnections connections) : IConnectionTracker
{
    public async ValueTask TrackAsync(string instance, string connectionId)
    {
        await inner.TrackAsync(instance, connectionId);
        connections.Subscribed(instance, connectionId);
    }

    public async ValueTask UntrackAsync(string instance, string connectionId)
    {
        connections.Unsubscribed(instance, connectionId);
        await inner.UntrackAsync(instance, connectionId);
    }

    public ValueTask<IReadOnlyDictionary<string, int>> GetCountsAsync(CancellationToken cancellationToken = default) =>
        inner.GetCountsAsync(cancellationToken);
}
