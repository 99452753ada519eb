namespace EvolutionHub.Bridge;

/// <summary>
/// Where the records of the sockets that may be recovered are kept, keyed by their private id. The default keeps them in
/// the process (bounded by <see cref="SocketIoConnectionStateRecoveryOptions.MaxStoredSessions"/>); register a shared one
/// (Redis) so that a client recovers on any node of a farm, even one that died without a word.
/// </summary>
/// <remarks>
/// In a store that <see cref="OutlivesProcess"/>, a socket's record is saved when its CONNECT is accepted, again every
/// quarter of <see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/> while it lives, and once more
/// when it ends for a recoverable reason; in one that does not, only when it ends for a recoverable reason. Either way it
/// is taken (removed) when it ends for good, or by the client that recovers it.
/// </remarks>
public interface ISocketIoSessionStore
{
    /// <summary>
    /// Whether records outlive this process (a shared store, such as Redis): only then are live sockets' records kept, so
    /// that their clients recover after the node died without a word. False for a store in this process, which dies with
    /// the node: a record per live socket there would save nobody.
    /// </summary>
    bool OutlivesProcess => true;

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
