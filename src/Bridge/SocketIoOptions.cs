using System.Text.Json;

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

    /// <summary>Packets queued for one Engine.IO session before it is considered too slow and closed.</summary>
    public int MaxBufferedPackets { get; set; } = 10_000;

    /// <summary>Bytes queued for one Engine.IO session before it is considered too slow and closed.</summary>
    public long MaxBufferedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The hub method invoked for a client event that names no hub method. It must take <c>(string eventName, T[] arguments)</c>:
    /// with <c>object[]</c> binary attachments arrive as <c>byte[]</c>, with <c>System.Text.Json.JsonElement[]</c> as base64
    /// strings. Its result is the acknowledgement's argument. When null, such an event gets an error acknowledgement.
    /// </summary>
    public string? FallbackMethod { get; set; }

    /// <summary>
    /// Whether a client event named like a hub method (case-insensitively, as SignalR binds) invokes that method. When
    /// false, every client event goes to <see cref="FallbackMethod"/>, so no event name is shadowed by the hub's surface.
    /// </summary>
    public bool InvokeHubMethods { get; set; } = true;

    /// <summary>How event arguments are written and read. Binary values (<c>byte[]</c>) travel as Socket.IO attachments.</summary>
    public JsonSerializerOptions PayloadSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
