using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.History;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>Which of this node's connections receive which stream: the hub's (and the Socket.IO CONNECT's) way in.</summary>
internal sealed class EventSubscriptions(LocalSubscribers subscribers, EventLanes lanes)
{
    /// <summary>
    /// Subscribes a connection to a stream. With <paramref name="offset"/>, every event after it (that passes the instance's
    /// current filter) first, in order, then live events, none twice; without, live events from now.
    /// <paramref name="withOffsets"/>: each event carries its offset as its last argument.
    /// </summary>
    /// <exception cref="HubException">The history cannot continue from <paramref name="offset"/>; nothing is subscribed.</exception>
    public Task ResumeAsync(HubConnectionContext connection, HistoryStream stream, string? offset, bool withOffsets = true) =>
        lanes.JoinAsync(stream, connection, withOffsets, offset);

    /// <inheritdoc cref="ResumeAsync(HubConnectionContext, HistoryStream, string?, bool)"/>
    /// <exception cref="HubException">The connection has ended.</exception>
    public Task ResumeAsync(string connectionId, HistoryStream stream, string? offset, bool withOffsets = true) =>
        ResumeAsync(subscribers.Find(connectionId) ?? throw new HubException("The connection has ended."), stream, offset, withOffsets);

    public void Unsubscribe(HistoryStream stream, string connectionId) => subscribers.Remove(stream, connectionId);
}
