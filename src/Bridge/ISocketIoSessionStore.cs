namespace EvolutionHub.Bridge;

/// <summary>
/// Where the records of the sockets that may be recovered are kept, keyed by their private id. The default keeps them in
/// the process (bounded by <see cref="SocketIoConnectionStateRecoveryOptions.MaxStoredSessions"/>); register a shared one
/// (Redis) so that a client recovers on any node of a farm, even one that died without a word.
/// </summary>
/// <remarks>
/// A socket's record is saved when its CONNECT is accepted, again every quarter of
/// <see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/> while it lives, and once more when it ends
/// for a recoverable reason; it is taken (removed) when it ends for good, or by the client that recovers it.
/// </remarks>
public interface ISocketIoSessionStore
{
    /// <summary>
    /// Keeps <paramref name="session"/> for <paramref name="timeToLive"/> (<see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/>),
    /// replacing any record of the same private id.
    /// </summary>
    ValueTask SaveAsync(SocketIoSessionRecord session, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes and returns the session saved under <paramref name="pid"/>, or null: a record is taken at most once.</summary>
    ValueTask<SocketIoSessionRecord?> TakeAsync(string pid, CancellationToken cancellationToken);
}

/// <summary>A socket that may be recovered.</summary>
/// <param name="Pid">The private id of its CONNECT ack: unguessable, known only to the client.</param>
/// <param name="SocketId">The socket id a recovering client gets back.</param>
/// <param name="Namespace">The namespace it was connected to; the pid recovers nothing in another.</param>
/// <param name="LastSeenAt">
/// Its last sign of life: when its transport dropped, or, while it is connected, when its node last saved the record. A
/// client recovers it within <see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/> of this time.
/// </param>
public sealed record SocketIoSessionRecord(string Pid, string SocketId, string Namespace, DateTimeOffset LastSeenAt);
