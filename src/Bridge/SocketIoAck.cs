namespace EvolutionHub.Bridge;

/// <summary>
/// What a hub method returns to leave a Socket.IO client's event unacknowledged, as a Socket.IO server's handler that
/// never calls its <c>ack</c> callback: <c>return SocketIoAck.None;</c> from a method (or <see cref="SocketIoOptions.FallbackMethod"/>)
/// declared to return <c>object</c>. The client's ack callback is not called, so its ack timeout
/// (<c>socket.timeout(ms).emit(…)</c>) fires; the connection goes on. A SignalR client invoking the same method gets null.
/// </summary>
public sealed class SocketIoAck
{
    private SocketIoAck()
    {
    }

    /// <summary>No acknowledgement: the client's ack callback is never called.</summary>
    public static SocketIoAck None { get; } = new();
}
