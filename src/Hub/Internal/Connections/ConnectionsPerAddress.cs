using System.Collections.Concurrent;
using System.Net;
using EvolutionHub.Internal.Authentication;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// This node's SignalR connections per client address, held to <see cref="LimitsOptions.MaxConnectionsPerAddress"/>. An
/// address is in the table only while it has a connection.
/// </summary>
internal sealed class ConnectionsPerAddress(IOptions<LimitsOptions> options)
{
    private readonly ConcurrentDictionary<IPAddress, int> _counts = new();
    private readonly int _limit = options.Value.MaxConnectionsPerAddress;

    /// <summary>Whether one more connection from <paramref name="address"/> would be over the limit.</summary>
    public bool IsFull(IPAddress? address) =>
        _limit > 0 && address is not null && _counts.TryGetValue(ClientAddresses.Normalize(address), out var count) && count >= _limit;

    /// <summary>Counts a connection in; false, and nothing counted, when the address is at the limit.</summary>
    public bool TryAdd(IPAddress? address)
    {
        if (_limit <= 0 || address is null)
        {
            return true;
        }

        var key = ClientAddresses.Normalize(address);
        while (true)
        {
            if (_counts.TryGetValue(key, out var count))
            {
                if (count >= _limit)
                {
                    return false;
                }

                if (_counts.TryUpdate(key, count + 1, count))
                {
                    return true;
                }
            }
            else if (_counts.TryAdd(key, 1))
            {
                return true;
            }
        }
    }

    public void Remove(IPAddress? address)
    {
        if (_limit <= 0 || address is null)
        {
            return;
        }

        var key = ClientAddresses.Normalize(address);
        while (_counts.TryGetValue(key, out var count))
        {
            if (count <= 1 ? _counts.TryRemove(new KeyValuePair<IPAddress, int>(key, count)) : _counts.TryUpdate(key, count - 1, count))
            {
                return;
            }
        }
    }
}
