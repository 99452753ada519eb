using System.Net;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>Turns a presented key (and, for connections, the client's address) into a <see cref="Credential"/>.</summary>
public sealed class CredentialResolver(IInstanceStore store, HubConnectionRegistry registry, IOptions<ApiKeyOptions> keys, IOptions<WebsocketOptions> websocket)
{
    private readonly IReadOnlyList<IPAddress> _allowedHosts = ParseHosts(websocket.Value.AllowedHosts);

    public string GlobalKey => keys.Value.ApiKey;

    public async ValueTask<Credential> ResolveKeyAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key))
        {
            return Credential.Missing;
        }

        if (SecretComparer.Equal(keys.Value.ApiKey, key))
        {
            return Credential.Global;
        }

        var mark = registry.RevocationMark;
        return await store.FindInstanceByTokenAsync(key, cancellationToken) is { } instance
            ? new Credential(CredentialKind.Instance, instance, mark, TokenHash.Of(key))
            : Credential.Unknown;
    }

    /// <summary>A connection's credential: its key when it presented one (first found wins), else its address when allowed.</summary>
    public ValueTask<Credential> ResolveConnectionAsync(string? key, IPAddress? remoteAddress, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(key))
        {
            return ResolveKeyAsync(key, cancellationToken);
        }

        return ValueTask.FromResult(IsAllowedHost(remoteAddress) ? Credential.Global : Credential.Missing);
    }

    private bool IsAllowedHost(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _allowedHosts.Any(normalized.Equals);
    }

    private static IPAddress[] ParseHosts(string hosts) =>
        [.. hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(host => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : IPAddress.TryParse(host, out var address) ? [address] : Array.Empty<IPAddress>())];
}
