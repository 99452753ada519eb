using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Farm.Tests.Lifecycle;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Farm.Tests;

/// <summary>The connection counts of <c>GET /api/instances</c> converge to the clients actually there.</summary>
public sealed class ConnectionCountTests
{
    [Fact]
    public async Task A_Subscribe_racing_its_connections_end_leaves_no_count_behind()
    {
        const int Races = 300;
        const int AtOnce = 10;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);

        for (var started = 0; started < Races; started += AtOnce)
        {
            await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => SubscribeAndLeaveAsync(b)));
        }

        (int OnA, int OnB) counts = (-1, -1);
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    counts = (await NodeFailureTests.CountOnAsync(a, "fleeting"), await NodeFailureTests.CountOnAsync(b, "fleeting"));
                    return counts == (0, 0);
                },
                TimeSpan.FromSeconds(10),
                "the count of /fleeting to fall to 0");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{Races} connections that subscribed as they closed still count {counts.OnA} on A and {counts.OnB} on B after 10 s.");
        }
    }

    /// <summary>Sends <c>Subscribe</c> without waiting for its completion and closes the connection at once.</summary>
    private static async Task SubscribeAndLeaveAsync(HubNode node)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseUri, "/hubs/events"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(HubNode.GlobalKey);
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .Build();
        await using (connection)
        {
            await connection.StartAsync().WithTimeout(TimeSpan.FromSeconds(10), $"SignalR to connect to node {node.Name}");
            await connection.SendAsync("Subscribe", "fleeting");
        }
    }
}
