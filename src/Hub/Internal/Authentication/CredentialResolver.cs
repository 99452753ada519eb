using System.Net;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Instances;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace EvolutionHub.Internal.Authentication;

/// <summary>Turns a presented key (and, for connections, the client's address) into a <see cref="Credential"/>.</summary>
internal sealed class CredentialResolver(
    IInstanceStore store, HubConnectionRegistry registry, AllowedOrigins origins, IOptions<ApiKeyOptions> keys, IOptions<WebsocketOptions> websocket)
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

    /// <summary>
    /// A connection's credential: its key when it presented one (first found wins), else its address when allowed and its
    /// request came from no web page of an origin <c>Cors:Origin</c> does not allow (CORS does not cover WebSockets: without
    /// this, any site a user of an allowed host visits could connect in that user's name).
    /// </summary>
    public ValueTask<Credential> ResolveConnectionAsync(
        string? key, IPAddress? remoteAddress, StringValues origin, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(key))
        {
            return ResolveKeyAsync(key, cancellationToken);
        }

        return ValueTask.FromResult(IsAllowedHost(remoteAddress) && origins.Admits(origin) ? Credential.Global : Credential.Missing);
    }

    /// <summary>Whether <c>Websocket:RequireAllowedOrigin</c> refuses a connection that comes with <paramref name="origin"/>.</summary>
    public bool RefusesOrigin(StringValues origin) => websocket.Value.RequireAllowedOrigin && !origins.Admits(origin);

    private bool IsAllowedHost(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        return _allowedHosts.Any(ClientAddresses.Normalize(address).Equals);
    }

    private static IPAddress[] ParseHosts(string hosts) =>
        [.. hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(host => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : IPAddress.TryParse(host, out var address) ? [address] : Array.Empty<IPAddress>())];
}
