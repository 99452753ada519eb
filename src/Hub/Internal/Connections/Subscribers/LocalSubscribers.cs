using System.Collections.Concurrent;
using EvolutionHub.Internal.History;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Connections.Subscribers;

/// <summary>One connection of this node receiving a stream's events.</summary>
/// <param name="WithOffsets">Each event carries its offset as its last argument.</param>
/// <param name="SkipThrough">Events up to this offset already reached the connection (it resumed from beyond what this node had delivered).</param>
internal sealed record Subscriber(HubConnectionContext Connection, bool WithOffsets, Offset? SkipThrough);

/// <summary>
/// This node's hub connections (told by <see cref="SubscriberTrackingLifetimeManager"/>) and which of them receive which
/// stream. Delivery reads a stream's subscribers as an array without a lock; a change only marks that array stale, and the
/// next read builds it again, so a ramp of N connections onto one stream costs N adds, not N copies of a growing array.
/// </summary>
internal sealed class LocalSubscribers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConnectionEntry> _connections = new(StringComparer.Ordinal);

    // Written under the gate; read without it. A stream is here while it has subscribers.
    private readonly ConcurrentDictionary<HistoryStream, StreamSubscribers> _streams = new();

    public void Connected(HubConnectionContext connection)
    {
        lock (_gate)
        {
            _connections[connection.ConnectionId] = new ConnectionEntry(connection);
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
        var connectionId = subscriber.Connection.ConnectionId;
        lock (_gate)
        {
            if (!_connections.TryGetValue(connectionId, out var entry))
            {
                return false;
            }

            if (Array.IndexOf(entry.Streams, stream) < 0)
            {
                entry.Streams = [.. entry.Streams, stream];
            }

            if (!_streams.TryGetValue(stream, out var subscribers))
            {
                subscribers = new StreamSubscribers();
                _streams[stream] = subscribers;
            }

            subscribers.Members[connectionId] = subscriber;
            subscribers.Snapshot = null;
            return true;
        }
    }

    public void Remove(HistoryStream stream, string connectionId)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var entry) && Array.IndexOf(entry.Streams, stream) >= 0)
            {
                entry.Streams = [.. entry.Streams.Where(other => other != stream)];
                RemoveLocked(stream, connectionId);
            }
        }
    }

    public bool Contains(HistoryStream stream, string connectionId)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(stream, out var subscribers) && subscribers.Members.ContainsKey(connectionId);
        }
    }

    public Subscriber[] Of(HistoryStream stream)
    {
        if (!_streams.TryGetValue(stream, out var subscribers))
        {
            return [];
        }

        if (subscribers.Snapshot is { } snapshot)
        {
            return snapshot;
        }

        lock (_gate)
        {
            return subscribers.Snapshot ??= [.. subscribers.Members.Values];
        }
    }

    /// <summary>The streams that have subscribers on this node.</summary>
    public IReadOnlyCollection<HistoryStream> Streams => [.. _streams.Keys];

    private void RemoveLocked(HistoryStream stream, string connectionId)
    {
        if (_streams.TryGetValue(stream, out var subscribers) && subscribers.Members.Remove(connectionId))
        {
            subscribers.Snapshot = null;
            if (subscribers.Members.Count == 0)
            {
                _streams.TryRemove(stream, out _);
                subscribers.Snapshot = [];
            }
        }
    }

    private sealed class ConnectionEntry(HubConnectionContext connection)
    {
        public HubConnectionContext Connection { get; } = connection;

        /// <summary>The streams it receives; almost always one, so an array replaced on change rather than a set.</summary>
        public HistoryStream[] Streams { get; set; } = [];
    }

    private sealed class StreamSubscribers
    {
        public Dictionary<string, Subscriber> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>What delivery reads; null once a change made it stale.</summary>
        public volatile Subscriber[]? Snapshot = [];
    }
}
