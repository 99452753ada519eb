using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Metrics;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// The single node's <see cref="IEventDispatcher"/>: appends to the in-memory history and hands the entries to the lanes
/// in the history's order. Accepting returns before delivery.
/// </summary>
internal sealed class SingleNodeEventDispatcher(MemoryEventLog log, EventLanes lanes, HubMetrics metrics) : IEventDispatcher
{
    public ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        log.Append(events, lanes.Enqueue);
        foreach (var _ in events)
        {
            metrics.EventAccepted();
        }

        return ValueTask.CompletedTask;
    }
}
