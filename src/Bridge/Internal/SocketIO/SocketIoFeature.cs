using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>A socket's handshake: its namespace and id, the CONNECT <c>auth</c>, and what the session's handshake said.</summary>
internal sealed class SocketIoFeature(string @namespace, string socketId, IEngineIoConnection engine, JsonElement? auth, IQueryCollection query) : ISocketIoFeature
{
    public string Namespace { get; } = @namespace;

    public string SocketId { get; } = socketId;

    public string EngineSessionId => engine.Id;

    public int EngineProtocol => engine.Protocol;

    public JsonElement? Auth { get; } = auth;

    public IQueryCollection Query { get; } = query;

    public IHeaderDictionary Headers => engine.Handshake.Headers;

    public IPAddress? RemoteIpAddress => engine.Handshake.RemoteIpAddress;
}
