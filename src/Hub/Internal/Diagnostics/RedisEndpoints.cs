using System.Net;

namespace EvolutionHub.Internal.Diagnostics;

/// <summary>Redis endpoints as an operator reads them: <c>host:port</c>, comma-separated.</summary>
internal static class RedisEndpoints
{
    public static string Describe(IEnumerable<EndPoint> endpoints) => string.Join(", ", endpoints.Select(Describe));

    public static string Describe(EndPoint? endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        null => "unknown",
        _ => endpoint.ToString() ?? "unknown",
    };
}
