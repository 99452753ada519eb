using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// The farm's <see cref="IEventDispatcher"/>: refuses events while Redis is away or refuses writes (the publisher gets 503 and keeps them)
/// instead of accepting what no other node could be sent.
/// </summary>
internal sealed class FarmEventDispatcher(OrderedEventDispatcher ordered, RedisFarmConnection redis) : IEventDispatcher
{
    public ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        redis.EnsureAvailable();
        return ordered.AcceptAsync(events, cancellationToken);
    }
}
