using System.Text;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>
/// The handshake headers a session keeps (<see cref="SocketIoOptions.HandshakeHeaders"/>), within
/// <see cref="SocketIoOptions.MaxHandshakeHeaderBytes"/>: a session waiting for its namespaces holds a few values, not the request.
/// </summary>
internal sealed class HandshakeHeaderFilter(SocketIoOptions options)
{
    private readonly string[] _names = options.HandshakeHeaders.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The kept headers, or null when together they are larger than the limit.</summary>
    public HeaderDictionary? Keep(IHeaderDictionary headers)
    {
        var kept = new HeaderDictionary();
        var bytes = 0;
        foreach (var name in _names)
        {
            if (!headers.TryGetValue(name, out var values))
            {
                continue;
            }

            bytes += Encoding.UTF8.GetByteCount(name);
            foreach (var value in values)
            {
                bytes += Encoding.UTF8.GetByteCount(value ?? "");
            }

            if (bytes > options.MaxHandshakeHeaderBytes)
            {
                return null;
            }

            kept[name] = values;
        }

        return kept;
    }
}
