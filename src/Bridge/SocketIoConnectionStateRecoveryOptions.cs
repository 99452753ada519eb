namespace EvolutionHub.Bridge;

/// <summary>
/// Connection-state recovery as socket.io 4.6+ defines it (<c>connectionStateRecovery</c>): a Socket.IO v4 client whose
/// transport dropped reconnects with the private id (<c>pid</c>) of its CONNECT ack and the offset of the last event it
/// received, and gets its socket id back (<c>socket.recovered</c>). The bridge restores the socket id; what the client
/// missed is the host's to replay (<see cref="ISocketIoFeature.RecoveredOffset"/>).
/// </summary>
public sealed class SocketIoConnectionStateRecoveryOptions
{
    /// <summary>Whether CONNECT acks of Socket.IO v4 clients carry a <c>pid</c> and such clients may recover. Default false, as in socket.io.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How long after its last sign of life (its transport dropping, or its node's last refresh of its record, every
    /// quarter of this time) a socket can be recovered. Default 2 minutes, as socket.io's <c>maxDisconnectionDuration</c>.
    /// </summary>
    public TimeSpan MaxDisconnectionDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Socket records (live and disconnected) the default, in-memory <see cref="ISocketIoSessionStore"/> keeps at once; beyond it the oldest
    /// is forgotten (its client connects as new). Default 100000. A store the host registers has its own bounds.
    /// </summary>
    public int MaxStoredSessions { get; set; } = 100_000;
}
