namespace EvolutionHub.Bridge;

/// <summary>
/// Where the sockets that may be recovered wait, keyed by their private id. The default keeps them in the process (bounded
/// by <see cref="SocketIoConnectionStateRecoveryOptions.MaxStoredSessions"/>); register a shared one (Redis) so that a
/// client recovers on any node of a farm.
/// </summary>
public interface ISocketIoSessionStore
{
    /// <summary>
    /// Keeps <paramref name="session"/> for <paramref name="timeToLive"/> (<see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/>).
    /// Called once the socket's hub connection has ended, so a recovered socket never meets its former self.
    /// </summary>
    ValueTask SaveAsync(SocketIoSessionRecord session, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes and returns the session saved under <paramref name="pid"/>, or null: a private id recovers at most once.</summary>
    ValueTask<SocketIoSessionRecord?> TakeAsync(string pid, CancellationToken cancellationToken);
}

/// <summary>A disconnected socket that may be recovered.</summary>
/// <param name="Pid">The private id of its CONNECT ack: unguessable, known only to the client.</param>
/// <param name="SocketId">The socket id a recovering client gets back.</param>
/// <param name="Namespace">The namespace it was connected to; the pid recovers nothing in another.</param>
/// <param name="DisconnectedAt">When its transport dropped.</param>
public sealed record SocketIoSessionRecord(string Pid, string SocketId, string Namespace, DateTimeOffset DisconnectedAt);
