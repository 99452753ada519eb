using EvolutionHub.Internal.History;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Connections.Subscribers;

/// <summary>One connection of this node receiving a stream's events.</summary>
/// <param name="WithOffsets">Each event carries its offset as its last argument.</param>
/// <param name="SkipThrough">Events up to this offset already reached the connection (it resumed from beyond what this node had delivered).</param>
internal sealed record Subscriber(HubConnectionContext Connection, bool WithOffsets, Offset? SkipThrough);

/// <summary>
/// This node's hub connections (told by <see cref="SubscriberTrackingLifetimeManager"/>) and which of them receive which
/// stream. Delivery reads a stream's subscribers without a lock: each change replaces the stream's array.
/// </summary>
internal sealed class LocalSubscribers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (HubConnectionContext Connection, HashSet<HistoryStream> Streams)> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<HistoryStream, Subscriber[]> _subscribers = [];
    private volatile Dictionary<HistoryStream, Subscriber[]> _snapshot = [];

    public void Connected(HubConnectionContext connection)
    {
        lock (_gate)
        {
            _connections[connection.ConnectionId] = (connection, []);
        }
    }

    /// <summary>The connection ended: it receives nothing more, and <see cref="TryAdd"/> refuses it from now on.</summary>
    public void Disconnected(string connectionId)
    {
        lock (_gate)
        {
            if (_connections.Remove(connectionId, out var entry))
            {
                foreach (var stream in entry.Streams)
                {
                    RemoveLocked(stream, connectionId);
                }

                Publish();
            }
        }
    }

    public HubConnectionContext? Find(string connectionId)
    {
        lock (_gate)
        {
            return _connections.TryGetValue(connectionId, out var entry) ? entry.Connection : null;
        }
    }

    /// <summary>Adds (or replaces) the connection's subscription; false when the connection has ended.</summary>
    public bool TryAdd(HistoryStream stream, Subscriber subscriber)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(subscriber.Connection.ConnectionId, out var entry))
            {
                return false;
            }

            entry.Streams.Add(stream);
            var current = _subscribers.GetValueOrDefault(stream) ?? [];
            _subscribers[stream] = [.. current.Where(existing => existing.Connection.ConnectionId != subscriber.Connection.ConnectionId), subscriber];
            Publish();
            return true;
        }
    }

    public void Remove(HistoryStream stream, string connectionId)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var entry) && entry.Streams.Remove(stream))
            {
                RemoveLocked(stream, connectionId);
                Publish();
            }
        }
    }

    public bool Contains(HistoryStream stream, string connectionId) =>
        Of(stream).Any(subscriber => subscriber.Connection.ConnectionId == connectionId);

    public Subscriber[] Of(HistoryStream stream) => _snapshot.GetValueOrDefault(stream) ?? [];

    /// <summary>The streams that have subscribers on this node.</summary>
    public IReadOnlyCollection<HistoryStream> Streams => _snapshot.Keys;

    private void RemoveLocked(HistoryStream stream, string connectionId)
    {
        if (_subscribers.TryGetValue(stream, out var current))
        {
            Subscriber[] rest = [.. current.Where(existing => existing.Connection.ConnectionId != connectionId)];
            if (rest.Length == 0)
            {
                _subscribers.Remove(stream);
            }
            else
            {
                _subscribers[stream] = rest;
            }
        }
    }

    private void Publish() => _snapshot = new Dictionary<HistoryStream, Subscriber[]>(_subscribers);
}
