using System.Collections.Concurrent;
using EvolutionHub.Internal.Metrics;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>This node's hub connections by protocol, in all and per instance they receive, for the dashboard.</summary>
internal sealed class NodeConnections
{
    private readonly ConcurrentDictionary<string, string> _protocolByConnection = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Instance, string ConnectionId), string> _subscriptions = new();

    public void Opened(string connectionId, ConnectionKind kind) => _protocolByConnection[connectionId] = kind.Protocol;

    public void Closed(string connectionId) => _protocolByConnection.TryRemove(connectionId, out _);

    public void Subscribed(string instance, string connectionId)
    {
        if (_protocolByConnection.TryGetValue(connectionId, out var protocol))
        {
            _subscriptions[(instance, connectionId)] = protocol;
        }
    }

    public void Unsubscribed(string instance, string connectionId) => _subscriptions.TryRemove((instance, connectionId), out _);

    public IReadOnlyDictionary<string, int> ByProtocol() => Count(_protocolByConnection.Values);

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ByInstance() =>
        _subscriptions
            .GroupBy(entry => entry.Key.Instance, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => Count(group.Select(entry => entry.Value)), StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, int> Count(IEnumerable<string> protocols)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { [ConnectionKind.SignalR] = 0, [ConnectionKind.SocketIo] = 0 };
        foreach (var protocol in protocols)
        {
            counts[protocol]++;
        }

        return counts;
    }
}
