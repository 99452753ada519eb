using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// Accepts events and delivers them, each instance's in the order accepted: one ordered path per instance
/// from here to the send. Accepting returns before delivery.
/// </summary>
internal interface IEventDispatcher
{
    ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default);
}
