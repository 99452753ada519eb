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

    [Fact]
    public async Task A_burst_of_connections_costs_Redis_one_count_write_per_tenth_of_a_second_not_one_each()
    {
        const int Clients = 100;
        const int AtOnce = 10;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        var clients = new List<EventRecorder>();
        try
        {
            var writesBefore = await CountWritesAsync(farm.Redis);
            var burst = System.Diagnostics.Stopwatch.StartNew();
            for (var started = 0; started < Clients; started += AtOnce)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => EventRecorder.SubscribeAsync(b.BaseUri, HubNode.GlobalKey, "burst", "messages.upsert"))));
            }

            await Eventually.UntilAsync(async () => await NodeFailureTests.CountOnAsync(a, "burst") == Clients, TimeSpan.FromSeconds(10), $"A to count the {Clients} clients of B");
            var writes = await CountWritesAsync(farm.Redis) - writesBefore;

            // One write per change coalesced over 100 ms, plus the heartbeat's.
            var bound = (int)(burst.Elapsed.TotalMilliseconds / 100) + 3;
            Assert.True(writes <= bound, $"{Clients} connections in {burst.Elapsed.TotalMilliseconds:F0} ms cost {writes} count writes (HMSET); at most {bound} expected");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<long> CountWritesAsync(RedisServer redis)
    {
        var stats = await redis.CliAsync("INFO", "commandstats");
        var line = stats.Split('\n').FirstOrDefault(line => line.StartsWith("cmdstat_hmset:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
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
