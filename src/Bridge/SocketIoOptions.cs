using System.Text.Json;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;

namespace EvolutionHub.Bridge;

/// <summary>Options of the Socket.IO bridge, bound from the <c>SocketIo</c> configuration section by the host.</summary>
public sealed class SocketIoOptions
{
    /// <summary>The Engine.IO endpoint path, with leading and trailing slash. Default <c>/socket.io/</c>.</summary>
    public string Path { get; set; } = "/socket.io/";

    /// <summary>Milliseconds between two server pings (Engine.IO v4) or the interval the client pings at (v3).</summary>
    public int PingInterval { get; set; } = 25_000;

    /// <summary>Milliseconds the peer has to answer a ping before the session is closed.</summary>
    public int PingTimeout { get; set; } = 20_000;

    /// <summary>Milliseconds a new Engine.IO session has to connect a namespace before it is closed.</summary>
    public int ConnectTimeout { get; set; } = 45_000;

    /// <summary>The largest message (a WebSocket frame or an HTTP long-polling body) accepted from a client, in bytes.</summary>
    public int MaxPayload { get; set; } = 1_000_000;

    /// <summary>Accept Engine.IO protocol v3 (socket.io-client 2.x) beside v4.</summary>
    public bool AllowEngineIoV3 { get; set; } = true;

    /// <summary>Packets waiting to be sent to one Engine.IO session before it is considered too slow and closed.</summary>
    public int MaxBufferedPackets { get; set; } = 10_000;

    /// <summary>
    /// Bytes waiting to be sent to one Engine.IO session (queued, or handed to the transport and not yet written to the
    /// socket) before it is considered too slow and closed at once.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Binary attachments one Socket.IO packet may announce; the packet and its attachments together stay within <see cref="MaxPayload"/>.</summary>
    public int MaxAttachments { get; set; } = 100;

    /// <summary>Engine.IO sessions open at once on this server; a handshake beyond it gets 503. 0: no limit.</summary>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>Engine.IO sessions open at once from one source address; a handshake beyond it gets 429. 0: no limit.</summary>
    public int MaxSessionsPerAddress { get; set; } = 1_000;

    /// <summary>
    /// New Engine.IO sessions per second from one source address, a token bucket holding twice as many (the burst);
    /// a handshake beyond it gets 429. 0: no limit.
    /// </summary>
    public int NewSessionsPerSecondPerAddress { get; set; } = 50;

    /// <summary>
    /// The handshake request headers a session keeps (<see cref="ISocketIoFeature.Headers"/>), comma-separated; the others
    /// are dropped once the handshake is answered, so that a pending session does not hold the whole request.
    /// </summary>
    public string HandshakeHeaders { get; set; } = "apikey,authorization,origin,user-agent";

    /// <summary>The largest total size of the kept handshake headers (names and values, in bytes); a larger handshake gets 431.</summary>
    public int MaxHandshakeHeaderBytes { get; set; } = 8 * 1024;

    /// <summary>Namespaces one Engine.IO session may have joined at once; the CONNECT beyond it gets CONNECT_ERROR <c>Too many namespaces</c>.</summary>
    public int MaxNamespacesPerSession { get; set; } = 100;

    /// <summary>
    /// Client events with an acknowledgement id one Engine.IO session may have waiting for their answer; the event beyond
    /// it is not invoked and gets an error acknowledgement at once.
    /// </summary>
    public int MaxPendingAcks { get; set; } = 100;

    /// <summary>
    /// The hub method invoked for a client event that names no hub method. It must take <c>(string eventName, T[] arguments)</c>:
    /// with <c>object[]</c> binary attachments arrive as <c>byte[]</c>, with <c>System.Text.Json.JsonElement[]</c> as base64
    /// strings. Its result is the acknowledgement's argument (<see cref="SocketIoAck.None"/>: none). When null, such an event
    /// is left unacknowledged, as a Socket.IO server with no handler for it: the client's ack timeout fires.
    /// </summary>
    public string? FallbackMethod { get; set; }

    /// <summary>
    /// Whether a client event named like a hub method (case-insensitively, as SignalR binds) invokes that method. When
    /// false, every client event goes to <see cref="FallbackMethod"/>, so no event name is shadowed by the hub's surface.
    /// </summary>
    public bool InvokeHubMethods { get; set; } = true;

    /// <summary>
    /// Connection-state recovery (socket.io's <c>connectionStateRecovery</c>): off by default; bound from
    /// <c>SocketIo:ConnectionStateRecovery</c>.
    /// </summary>
    public SocketIoConnectionStateRecoveryOptions ConnectionStateRecovery { get; } = new();

    /// <summary>How event arguments are written and read. Binary values (<c>byte[]</c>) travel as Socket.IO attachments.</summary>
    public JsonSerializerOptions PayloadSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
