using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge;

/// <summary>
/// Describes the Socket.IO side of a hub connection made by the bridge. Hubs read it from
/// <c>Context.Features.Get&lt;ISocketIoFeature&gt;()</c>; it is absent on ordinary SignalR connections.
/// </summary>
public interface ISocketIoFeature
{
    /// <summary>The namespace name, starting with <c>/</c>.</summary>
    string Namespace { get; }

    /// <summary>
    /// The Socket.IO socket id sent to the client in the CONNECT packet, and the hub connection's <c>Context.ConnectionId</c>.
    /// A recovered socket has the id it had before its transport dropped.
    /// </summary>
    string SocketId { get; }

    /// <summary>Whether this socket was recovered (connection-state recovery): the client's <c>socket.recovered</c> is true.</summary>
    bool Recovered { get; }

    /// <summary>
    /// For a recovered socket, the offset of the last event the client received (the last argument of that event, as the
    /// host sent it): replay what came after it in <c>OnConnectedAsync</c>. Null otherwise.
    /// </summary>
    string? RecoveredOffset { get; }

    /// <summary>The Engine.IO session id the namespace is multiplexed on.</summary>
    string EngineSessionId { get; }

    /// <summary>The Engine.IO protocol revision of the session: 3 or 4.</summary>
    int EngineProtocol { get; }

    /// <summary>The <c>auth</c> object of the CONNECT packet, if any.</summary>
    JsonElement? Auth { get; }

    /// <summary>The query string of the Engine.IO handshake request (and, in protocol v4 of Socket.IO, the namespace query).</summary>
    IQueryCollection Query { get; }

    /// <summary>The headers of the Engine.IO handshake request that <see cref="SocketIoOptions.HandshakeHeaders"/> lists.</summary>
    IHeaderDictionary Headers { get; }

    /// <summary>The client's address.</summary>
    IPAddress? RemoteIpAddress { get; }
}
