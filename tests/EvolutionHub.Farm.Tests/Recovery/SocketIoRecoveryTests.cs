using System.Diagnostics;
using System.Net;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Farm.Tests.Lifecycle;
using EvolutionHub.Testing;
using Xunit.Abstractions;

namespace EvolutionHub.Farm.Tests.Recovery;

/// <summary>
/// Socket.IO connection-state recovery across a farm, with the real socket.io-client 4.8: a client recovers its socket on
/// any node (the records live in Redis from its CONNECT on), even when its node was killed without a word, and gets every
/// accepted event once, in order.
/// </summary>
public sealed class SocketIoRecoveryTests(ITestOutputHelper output)
{
    private static object Event(string instance, int n) => new { @event = "MESSAGES_UPSERT", instance, data = new { n } };

    [Fact]
    public async Task A_client_whose_transport_drops_recovers_on_the_other_node_with_exactly_the_missed_events()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        await using var relay = TcpRelay.Start(a.Port);
        await using var driver = SocketIoDriver.Start();
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey }, reconnection = false };
        var connected = await driver.ConnectAsync("moved", $"http://127.0.0.1:{relay.Port}/moved", options, timeoutMs: Timeouts.ConnectMs);
        Assert.True(connected?["connected"]?.GetValue<bool>(), connected?.ToJsonString());
        await a.PublishAsync("moved", "MESSAGES_UPSERT", new { n = 1 });
        Assert.Equal(1, (await driver.NextAsync("moved", RecoveringClients.Event, Timeouts.EventMs))[0]!["data"]!["n"]!.GetValue<int>());

        // The way to A fails; the same address now leads to B.
        relay.Retarget(b.Port);
        relay.Sever();
        await driver.NextAsync("moved", "$disconnect");
        for (var n = 2; n <= 6; n++)
        {
            await (n % 2 == 0 ? a : b).PublishAsync("moved", "MESSAGES_UPSERT", new { n });
        }

        relay.Restore();
        var back = await driver.ReopenAsync("moved", Timeouts.ConnectMs);
        Assert.True(back?["recovered"]?.GetValue<bool>(), back?.ToJsonString());
        Assert.Equal(connected!["id"]!.GetValue<string>(), back!["id"]!.GetValue<string>());
        Assert.Equal(1, await b.LocalConnectionsAsync());

        var received = await driver.NextManyAsync("moved", RecoveringClients.Event, 5, Timeouts.EventMs);
        Assert.Equal([2, 3, 4, 5, 6], received.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
        await a.PublishAsync("moved", "MESSAGES_UPSERT", new { n = 7 });
        Assert.Equal(7, (await driver.NextAsync("moved", RecoveringClients.Event, Timeouts.EventMs))[0]!["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_of_an_instance_quiet_for_longer_than_the_window_recovers_on_the_other_node_with_nothing_to_replay()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2, settings: new Dictionary<string, string> { ["Recovery__MaxDisconnectionSeconds"] = "2" });
        var (a, b) = (farm[0], farm[1]);
        await using var relay = TcpRelay.Start(a.Port);
        await using var driver = SocketIoDriver.Start();
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey }, reconnection = false };
        var connected = await driver.ConnectAsync("quiet", $"http://127.0.0.1:{relay.Port}/quiet", options, timeoutMs: Timeouts.ConnectMs);
        await a.PublishAsync("quiet", "MESSAGES_UPSERT", new { n = 1 });
        Assert.Equal(1, (await driver.NextAsync("quiet", RecoveringClients.Event, Timeouts.EventMs))[0]!["data"]!["n"]!.GetValue<int>());

        // The instance stays quiet until Redis drops its stream; the client is connected throughout, so its last offset is
        // still where the instance is.
        await Eventually.UntilAsync(
            async () => await farm.Redis.CliAsync("EXISTS", "{evolutionhub}:history:quiet") == "0", TimeSpan.FromSeconds(15), "the quiet instance's stream to expire");
        relay.Retarget(b.Port);
        relay.Sever();
        await driver.NextAsync("quiet", "$disconnect");
        relay.Restore();

        var back = await driver.ReopenAsync("quiet", Timeouts.ConnectMs);
        Assert.True(back?["recovered"]?.GetValue<bool>(), back?.ToJsonString());
        Assert.Equal(connected!["id"]!.GetValue<string>(), back!["id"]!.GetValue<string>());
        await a.PublishAsync("quiet", "MESSAGES_UPSERT", new { n = 2 });
        Assert.Equal(2, (await driver.NextAsync("quiet", RecoveringClients.Event, Timeouts.EventMs))[0]!["data"]!["n"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("killed")]
    [InlineData("stopped")]
    public async Task Clients_of_a_killed_or_stopped_node_recover_on_the_survivor_and_get_every_accepted_event_once_in_order(string instance)
    {
        const int Clients = 60;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        var clients = new RecoveringClients(driver);
        for (var i = 0; i < Clients; i++)
        {
            await clients.ConnectAsync($"client-{i}", balancer.Url + "/" + instance, HubNode.GlobalKey);
        }

        // Every client comes from 127.0.0.1: ip_hash put them all on one node.
        var owner = await NodeFailureTests.OwnerAsync(farm, expected: Clients);
        var survivor = farm.Nodes.Single(node => node != owner);
        await survivor.PublishAsync(instance, "MESSAGES_UPSERT", new { n = 1 });
        await clients.ExpectAsync([1]);

        using var stop = new CancellationTokenSource();
        var published = 1;
        var publishedTwenty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await survivor.PostEventsAsync(Enumerable.Range(published + 1, 5).Select(n => Event(instance, n)));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                published += 5;
                if (published > 20)
                {
                    publishedTwenty.TrySetResult();
                }

                await Task.Delay(50);
            }
        });

        await publishedTwenty.Task.WithTimeout(TimeSpan.FromSeconds(10), "20 events to be published");
        var failed = Stopwatch.StartNew();
        if (instance == "killed")
        {
            await owner.KillAsync();
        }
        else
        {
            // A rolling restart: SIGTERM closes the clients' transports without a Socket.IO DISCONNECT, so they reconnect.
            var exitCode = await owner.StopAsync(TimeSpan.FromSeconds(10));
            Assert.True(exitCode == 0, $"node {owner.Name} stopped with exit code {exitCode} after {failed.Elapsed.TotalSeconds:F1} s (137: still running after 10 s)\n{owner.Output}");
        }

        await clients.ExpectRecoveredAsync();
        var recoveredIn = failed.Elapsed;

        // Publishing goes on after the recovery too: live events follow the replayed ones.
        var target = Volatile.Read(ref published) + 50;
        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref published) >= target), TimeSpan.FromSeconds(15), "50 more events to be published after the recovery");
        await stop.CancelAsync();
        await publishing;

        await clients.ExpectAsync([.. Enumerable.Range(2, published - 1)], timeoutMs: 30000);
        await survivor.PublishAsync(instance, "MESSAGES_UPSERT", new { n = published + 1 });
        await clients.ExpectAsync([published + 1]);
        output.WriteLine($"{Clients} clients of the {instance} node recovered on the survivor {recoveredIn.TotalSeconds:0.0} s after it went; {published + 1} events each, none lost or repeated.");
    }

    [Fact]
    public async Task Through_a_10_second_Redis_outage_clients_get_every_accepted_event_once_and_one_dropped_meanwhile_recovers()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2, persistentRedis: true);
        var (a, b) = (farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        var clients = new RecoveringClients(driver);
        for (var i = 0; i < 4; i++)
        {
            await clients.ConnectAsync($"on-{(i % 2 == 0 ? "a" : "b")}-{i}", (i % 2 == 0 ? a : b).BaseUri.ToString().TrimEnd('/') + "/outage", HubNode.GlobalKey);
        }

        var dropped = new RecoveringClients(driver);
        await dropped.ConnectAsync("dropped", b.BaseUri.ToString().TrimEnd('/') + "/outage", HubNode.GlobalKey);
        using (var first = await a.PostEventsAsync(Enumerable.Range(1, 10).Select(n => Event("outage", n))))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        await clients.ExpectAsync([.. Enumerable.Range(1, 10)]);
        await dropped.ExpectAsync([.. Enumerable.Range(1, 10)]);

        var down = Stopwatch.StartNew();
        await farm.Redis.StopAsync();
        foreach (var node in farm.Nodes)
        {
            await Eventually.UntilAsync(async () => await node.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), $"node {node.Name} to see Redis gone");
            using var refused = await node.PostEventsAsync(Event("outage", 100));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        // Its transport fails while Redis is away: it cannot come back before Redis does (handshakes get 503).
        await dropped.DropTransportAsync("dropped");

        // The outage is the scenario itself.
        var rest = TimeSpan.FromSeconds(10) - down.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        await farm.Redis.StartAgainAsync();
        foreach (var node in farm.Nodes)
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }

        using (var after = await b.PostEventsAsync(Enumerable.Range(11, 10).Select(n => Event("outage", n))))
        {
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        }

        await clients.ExpectAsync([.. Enumerable.Range(11, 10)]);
        await dropped.ExpectRecoveredAsync();
        await dropped.ExpectAsync([.. Enumerable.Range(11, 10)]);
        await a.PublishAsync("outage", "MESSAGES_UPSERT", new { n = 21 });
        await clients.ExpectAsync([21]);
        await dropped.ExpectAsync([21]);
    }
}
