using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// Accepts events: once <see cref="AcceptAsync"/> completes they are in their instance's history (and the global one),
/// with their offsets; delivery follows, each stream in the history's order.
/// </summary>
internal interface IEventDispatcher
{
    ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default);
}
