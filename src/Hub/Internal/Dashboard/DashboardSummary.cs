using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Diagnostics;
using EvolutionHub.Internal.Farm;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Startup;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>What <c>GET /api/dashboard/summary</c> answers: this node, its Redis, the events it accepted and the instances.</summary>
internal sealed class DashboardSummary(
    IInstanceStore store,
    IConnectionTracker tracker,
    NodeConnections connections,
    EventFeed feed,
    IOptions<WebsocketOptions> websocket,
    TimeProvider time,
    IServiceProvider services)
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public async Task<object> ReadAsync(CancellationToken cancellationToken)
    {
        var redis = services.GetService<RedisFarmConnection>();
        var node = new
        {
            version = HubVersion.Current,
            mode = redis is null ? "single node" : "farm",
            startedAt = _startedAt,
            connections = connections.ByProtocol(),
            globalEvents = websocket.Value.GlobalEvents,
        };
        var redisState = redis is null
            ? null
            : new { connected = redis.IsConnected, endpoints = RedisEndpoints.Describe(redis.Multiplexer.GetEndPoints()) };

        // While Redis is away the farm's counts and registrations cannot be read: the node and its own counts still can.
        object? instances;
        try
        {
            instances = await ReadInstancesAsync(cancellationToken);
        }
        catch (FarmUnavailableException)
        {
            instances = null;
        }

        return new { node, redis = redisState, eventsAccepted = feed.Last, instances };
    }

    private async Task<object> ReadInstancesAsync(CancellationToken cancellationToken)
    {
        var counts = await tracker.GetCountsAsync(cancellationToken);
        var local = connections.ByInstance();
        var names = (await store.GetRegisteredInstancesAsync(cancellationToken)).Union(counts.Keys, StringComparer.Ordinal).Union(local.Keys, StringComparer.Ordinal);
        return names.Order(StringComparer.Ordinal).Select(name => new
        {
            name,
            connections = counts.GetValueOrDefault(name),
            thisNode = local.GetValueOrDefault(name) ?? new Dictionary<string, int>(),
        }).ToList();
    }
}
