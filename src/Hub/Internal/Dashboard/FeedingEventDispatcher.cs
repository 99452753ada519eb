using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>Hands the events the node accepted (and only those: a refused batch is not shown) to the dashboard's feed.</summary>
internal sealed class FeedingEventDispatcher(IEventDispatcher inner, EventFeed feed) : IEventDispatcher
{
    public async ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        await inner.AcceptAsync(events, cancellationToken);
        feed.Add(events);
    }
}
