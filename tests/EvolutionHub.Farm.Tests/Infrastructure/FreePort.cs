using System.Net;
using System.Net.Sockets;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>A loopback port free at the time of asking, for servers that cannot be told to pick one themselves.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
