using System.Net;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge;

/// <summary>
/// What the Engine.IO handshake request said, kept for the session's life (the request itself ends with a poll): its query,
/// the headers of <see cref="SocketIoOptions.HandshakeHeaders"/>, and the remote address.
/// </summary>
public sealed class EngineIoHandshake(IQueryCollection query, IHeaderDictionary headers, IPAddress? remoteIpAddress)
{
    /// <summary>The query string of the handshake request (<c>EIO</c>, <c>transport</c> and the client's own parameters).</summary>
    public IQueryCollection Query { get; } = query;

    /// <summary>The headers of the handshake request.</summary>
    public IHeaderDictionary Headers { get; } = headers;

    /// <summary>The client's address as the host resolved it (after any forwarded-headers middleware).</summary>
    public IPAddress? RemoteIpAddress { get; } = remoteIpAddress;

    /// <summary>
    /// The handshake of <paramref name="context"/>, keeping <paramref name="headers"/> rather than the request's. The query
    /// collection is kept as it is, not copied: the request parsed it into a collection of its own that nothing changes,
    /// and that outlives the request.
    /// </summary>
    internal static EngineIoHandshake From(HttpContext context, IHeaderDictionary headers) =>
        new(context.Request.Query, headers, context.Connection.RemoteIpAddress);
}
