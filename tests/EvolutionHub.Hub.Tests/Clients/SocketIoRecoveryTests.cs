using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// Socket.IO connection-state recovery on one node, with the real socket.io-client 4.8: a client whose transport drops
/// comes back with its socket id and <c>socket.recovered</c>, then gets every event it missed, once, in order, then live
/// ones; one that cannot be recovered (window passed, history trimmed) connects as new and is replayed nothing.
/// </summary>
public sealed class SocketIoRecoveryTests
{
    private static object Event(string instance, int n) => new { @event = "MESSAGES_UPSERT", instance, data = new { n } };

    [Fact]
    public async Task Clients_of_an_instance_and_of_the_global_namespace_whose_transports_drop_while_events_flow_recover_and_miss_nothing()
    {
        const int Total = 200;
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:GlobalEvents"] = "true" });
        await using var driver = SocketIoDriver.Start();
        var clients = new RecoveringClients(driver);
        var url = hub.BaseUri.ToString().TrimEnd('/');
        for (var i = 0; i < 20; i++)
        {
            await clients.ConnectAsync($"shop-{i}", url + "/shop", HubServer.GlobalKey);
        }

        for (var i = 0; i < 5; i++)
        {
            await clients.ConnectAsync($"global-{i}", url + "/", HubServer.GlobalKey);
        }

        // A client recovers from the offset of the last event it received: each has one.
        await hub.PublishAsync(Event("shop", 1));
        await clients.ExpectAsync([1]);

        var publishing = Task.Run(async () =>
        {
            for (var n = 2; n <= Total; n += 5)
            {
                await hub.PublishAsync([.. Enumerable.Range(n, 5).Select(k => Event("shop", k))]);
                await Task.Delay(10);
            }
        });
        foreach (var name in clients.Names)
        {
            await clients.DropTransportAsync(name);
        }

        await clients.ExpectRecoveredAsync();
        await publishing;
        await clients.ExpectAsync([.. Enumerable.Range(2, Total - 1)]);

        // Nothing twice: the next event is the next one.
        await hub.PublishAsync(Event("shop", Total + 1));
        await clients.ExpectAsync([Total + 1]);
    }

    [Fact]
    public async Task A_client_back_after_the_window_connects_as_new_and_is_replayed_nothing()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Recovery:MaxDisconnectionSeconds"] = "2" });
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/late";
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, reconnection = false };
        var prompt = await driver.ConnectAsync("prompt", url, options);
        var late = await driver.ConnectAsync("late", url, options);
        await hub.PublishAsync(Event("late", 1));
        await driver.NextAsync("prompt", RecoveringClients.Event);
        await driver.NextAsync("late", RecoveringClients.Event);

        await driver.DropTransportAsync("prompt");
        await driver.DropTransportAsync("late");
        await driver.NextAsync("late", "$disconnect");
        await hub.PublishAsync(Event("late", 2));

        // Within the window: recovered, and replayed what it missed.
        var back = await driver.ReopenAsync("prompt");
        Assert.True(back!["recovered"]!.GetValue<bool>(), back.ToJsonString());
        Assert.Equal(prompt!["id"]!.GetValue<string>(), back["id"]!.GetValue<string>());
        Assert.Equal(2, (await driver.NextAsync("prompt", RecoveringClients.Event))[0]!["data"]!["n"]!.GetValue<int>());

        // The window is the scenario: 2 s, then a little more.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await hub.PublishAsync(Event("late", 3));
        var reopened = await driver.ReopenAsync("late");
        Assert.False(reopened!["recovered"]!.GetValue<bool>(), reopened.ToJsonString());
        Assert.NotEqual(late!["id"]!.GetValue<string>(), reopened["id"]!.GetValue<string>());
        await hub.PublishAsync(Event("late", 4));
        Assert.Equal(4, (await driver.NextAsync("late", RecoveringClients.Event))[0]!["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_of_an_instance_quiet_for_longer_than_the_window_recovers_with_nothing_to_replay()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Recovery:MaxDisconnectionSeconds"] = "2" });
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/quiet";
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, reconnection = false };
        var connected = await driver.ConnectAsync("quiet", url, options);
        await hub.PublishAsync(Event("quiet", 1));
        await driver.NextAsync("quiet", RecoveringClients.Event);

        // The instance stays quiet longer than the window while another one publishes; the client is connected throughout,
        // so its last offset is still where the instance is.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await hub.PublishAsync(Event("busy", 1));
        await driver.DropTransportAsync("quiet");
        await driver.NextAsync("quiet", "$disconnect");

        var back = await driver.ReopenAsync("quiet");
        Assert.True(back!["recovered"]!.GetValue<bool>(), back.ToJsonString());
        Assert.Equal(connected!["id"]!.GetValue<string>(), back["id"]!.GetValue<string>());
        await hub.PublishAsync(Event("quiet", 2));
        Assert.Equal(2, (await driver.NextAsync("quiet", RecoveringClients.Event))[0]!["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_whose_missed_events_were_trimmed_connects_as_new_and_is_replayed_nothing()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Recovery:MaxEventsPerInstance"] = "5" });
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/trimmed";
        var options = new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey }, reconnection = false };
        var near = await driver.ConnectAsync("near", url, options);
        var far = await driver.ConnectAsync("far", url, options);
        await hub.PublishAsync(Event("trimmed", 1));
        await driver.NextAsync("near", RecoveringClients.Event);
        await driver.NextAsync("far", RecoveringClients.Event);

        await driver.DropTransportAsync("far");
        await driver.NextAsync("far", "$disconnect");
        await hub.PublishAsync([.. Enumerable.Range(2, 3).Select(n => Event("trimmed", n))]);
        Assert.Equal([2, 3, 4], (await driver.NextManyAsync("near", RecoveringClients.Event, 3)).Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
        await driver.DropTransportAsync("near");
        await driver.NextAsync("near", "$disconnect");
        await hub.PublishAsync([.. Enumerable.Range(5, 3).Select(n => Event("trimmed", n))]);

        // The history keeps 3…7: "near" (at 4) recovers, "far" (at 1) lost 2 and cannot.
        var recovered = await driver.ReopenAsync("near");
        Assert.True(recovered!["recovered"]!.GetValue<bool>(), recovered.ToJsonString());
        Assert.Equal(near!["id"]!.GetValue<string>(), recovered["id"]!.GetValue<string>());
        Assert.Equal([5, 6, 7], (await driver.NextManyAsync("near", RecoveringClients.Event, 3)).Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));

        var reopened = await driver.ReopenAsync("far");
        Assert.False(reopened!["recovered"]!.GetValue<bool>(), reopened.ToJsonString());
        Assert.NotEqual(far!["id"]!.GetValue<string>(), reopened["id"]!.GetValue<string>());
        await hub.PublishAsync(Event("trimmed", 8));
        Assert.Equal(8, (await driver.NextAsync("far", RecoveringClients.Event))[0]!["data"]!["n"]!.GetValue<int>());
        Assert.Equal(8, (await driver.NextAsync("near", RecoveringClients.Event))[0]!["data"]!["n"]!.GetValue<int>());
    }
}
