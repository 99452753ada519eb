using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Farm.History;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Metrics;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// The farm's <see cref="IEventDispatcher"/>: an event is accepted once it is in Redis's history, which also carries it to
/// every node (<see cref="RedisEventFeed"/>). While Redis is away or refuses writes it accepts nothing (the publisher gets
/// 503 and keeps its events).
/// </summary>
internal sealed class FarmEventDispatcher(RedisEventLog log, RedisFarmConnection redis, HubMetrics metrics) : IEventDispatcher
{
    public async ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        redis.EnsureAvailable();
        await log.AppendAsync(events, cancellationToken);
        foreach (var _ in events)
        {
            metrics.EventAccepted();
        }
    }
}
