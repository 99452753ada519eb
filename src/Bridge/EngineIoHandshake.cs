using System.Net;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge;

/// <summary>What the Engine.IO handshake request said, kept for the session's life (the request itself ends with a poll).</summary>
public sealed class EngineIoHandshake(IQueryCollection query, IHeaderDictionary headers, IPAddress? remoteIpAddress)
{
    /// <summary>The query string of the handshake request (<c>EIO</c>, <c>transport</c> and the client's own parameters).</summary>
    public IQueryCollection Query { get; } = query;

    /// <summary>The headers of the handshake request.</summary>
    public IHeaderDictionary Headers { get; } = headers;

    /// <summary>The client's address as the host resolved it (after any forwarded-headers middleware).</summary>
    public IPAddress? RemoteIpAddress { get; } = remoteIpAddress;

    internal static EngineIoHandshake From(HttpContext context)
    {
        var headers = new HeaderDictionary();
        foreach (var header in context.Request.Headers)
        {
            headers[header.Key] = header.Value;
        }

        var query = new QueryCollection(context.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value));
        return new EngineIoHandshake(query, headers, context.Connection.RemoteIpAddress);
    }
}
