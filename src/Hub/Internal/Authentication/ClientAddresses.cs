using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// The client's address that every per-address rule uses: the peer's, or, when the peer is one of <c>Http:KnownProxies</c>,
/// the first address from the right of <c>X-Forwarded-For</c> that is not a known proxy.
/// </summary>
internal static class ClientAddresses
{
    /// <summary>Believes <c>X-Forwarded-For</c> from the known proxies only, whatever <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> says.</summary>
    /// <exception cref="HubStartupException">An entry of <paramref name="knownProxies"/> is not an IP address.</exception>
    public static void UseClientAddresses(this IApplicationBuilder app, string knownProxies)
    {
        var proxies = ParseProxies(knownProxies);
        if (proxies.Length == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(proxy);
        }

        app.UseForwardedHeaders(options);
    }

    /// <summary>
    /// The environment switch <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> makes ASP.NET Core believe <c>X-Forwarded-For</c> from
    /// any peer. Its middleware reads these options: with no header to process it believes nothing, and
    /// <see cref="UseClientAddresses"/> runs a middleware of its own with the known proxies only.
    /// </summary>
    public static void DisableUnrestrictedForwardedHeaders(this IServiceCollection services) =>
        services.PostConfigure<ForwardedHeadersOptions>(options => options.ForwardedHeaders = ForwardedHeaders.None);

    /// <summary>IPv4 clients reached over a dual-stack socket count as their IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPAddress[] ParseProxies(string proxies) =>
        [.. proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(proxy =>
            IPAddress.TryParse(proxy, out var address)
                ? Normalize(address)
                : throw new HubStartupException($"Http:KnownProxies: '{proxy}' is not an IP address."))];
}
