namespace EvolutionHub.Bridge;

/// <summary>
/// A client's request to recover its socket (a CONNECT whose <c>auth</c> holds the string <c>pid</c> and <c>offset</c>
/// socket.io-client sends after a disconnection), as <see cref="SocketIoConnectContext.Recovery"/> shows it.
/// </summary>
public sealed class SocketIoRecoveryRequest
{
    internal SocketIoRecoveryRequest(string offset, string? socketId)
    {
        Offset = offset;
        SocketId = socketId;
    }

    /// <summary>The offset of the last event the client received: the last argument of that event, as the host sent it.</summary>
    public string Offset { get; }

    /// <summary>
    /// The socket id the client gets back if it is accepted, or null when its private id is unknown, expired, used already,
    /// of another namespace or of a socket still connected to this node: then it connects as new, whatever the handler says.
    /// </summary>
    public string? SocketId { get; }

    /// <summary>Whether the socket can be recovered: accepting with <see cref="SocketIoConnectResult.Accept"/> recovers it.</summary>
    public bool CanRecover => SocketId is not null;
}
