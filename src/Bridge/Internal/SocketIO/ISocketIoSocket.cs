using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// One namespace connection of a session as the client layer sees it, the shape of socket.io's <c>Socket</c>: the client
/// hands it the EVENT and ACK packets of its namespace and the session's heartbeats, and ends it on DISCONNECT or at the
/// session's end. It sends through its <see cref="SocketIoSocketOutput"/> and counts acknowledgements in its
/// <see cref="SocketIoAcks"/>. The hub adapter implements it.
/// </summary>
internal interface ISocketIoSocket
{
    SocketIoFeature Handshake { get; }

    /// <summary>Raised once the socket has ended, whoever ended it.</summary>
    event Action<ISocketIoSocket>? Ended;

    /// <summary>The CONNECT ack is queued: the socket may send.</summary>
    void OnConnectSent();

    /// <summary>An EVENT, BINARY_EVENT, ACK or BINARY_ACK of the client; called in order, one at a time.</summary>
    ValueTask OnPacketAsync(SocketIoPacket packet);

    /// <summary>The session's heartbeat proved the client alive.</summary>
    ValueTask OnHeartbeatAsync();

    /// <summary>The client sent DISCONNECT for the namespace, or its session ended.</summary>
    void OnClientDisconnect();
}
