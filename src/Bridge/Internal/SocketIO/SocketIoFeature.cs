using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// A socket's handshake: its namespace and id, the CONNECT <c>auth</c>, and what the session's handshake said. The id and
/// the recovery state are settled while the CONNECT is decided, before the socket starts.
/// </summary>
internal sealed class SocketIoFeature(string @namespace, string socketId, IEngineIoConnection engine, JsonElement? auth, IQueryCollection query) : ISocketIoFeature
{
    public string Namespace { get; } = @namespace;

    public string SocketId { get; private set; } = socketId;

    public bool Recovered => RecoveredOffset is not null;

    public string? RecoveredOffset { get; private set; }

    /// <summary>The private id sent in the CONNECT ack, null when recovery is off (or for Socket.IO v2 clients).</summary>
    public string? Pid { get; private set; }

    public string EngineSessionId => engine.Id;

    public int EngineProtocol => engine.Protocol;

    public JsonElement? Auth { get; } = auth;

    public IQueryCollection Query { get; } = query;

    public IHeaderDictionary Headers => engine.Handshake.Headers;

    public IPAddress? RemoteIpAddress => engine.Handshake.RemoteIpAddress;

    public void Recover(SocketIoSessionRecord session, string offset)
    {
        SocketId = session.SocketId;
        Pid = session.Pid;
        RecoveredOffset = offset;
    }

    public void StartAsNew(string socketId, string? pid)
    {
        SocketId = socketId;
        Pid = pid;
        RecoveredOffset = null;
    }
}
