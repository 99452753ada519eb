using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests;

/// <summary>Events, settings and tokens cross nodes: whatever node a client or a publisher talks to.</summary>
public sealed class FanOutTests
{
        private static object GlobalAuth => new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } };

    [Fact]
    public async Task An_event_published_on_A_reaches_SocketIo_and_SignalR_clients_on_B_and_C_in_order()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 3);
        var (a, b, c) = (farm[0], farm[1], farm[2]);
        await using var driver = SocketIoDriver.Start();
        await ConnectAsync(driver, "on-b-websocket", b, "/orders", GlobalAuth);
        await ConnectAsync(driver, "on-c-polling", c, "/orders", new { transports = new[] { "polling" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalROnB = await EventRecorder.SubscribeAsync(b.BaseUri, HubNode.GlobalKey, "orders", "messages.upsert");
        await using var signalROnC = await EventRecorder.SubscribeAsync(c.BaseUri, HubNode.GlobalKey, "orders", "messages.upsert");

        using var response = await a.PostEventsAsync(Enumerable.Range(1, 20).Select(n => new { @event = "MESSAGES_UPSERT", instance = "orders", data = new { n } }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        foreach (var client in new[] { "on-b-websocket", "on-c-polling" })
        {
            var events = await driver.NextManyAsync(client, "messages.upsert", 20, timeoutMs: Timeouts.EventMs);
            Assert.Equal(Enumerable.Range(1, 20), events.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
            Assert.Equal("orders", events[0]![0]!["instance"]!.GetValue<string>());
        }

        foreach (var (listener, node) in new (EventRecorder, string)[] { (signalROnB, "B"), (signalROnC, "C") })
        {
            for (var n = 1; n <= 20; n++)
            {
                var (name, envelope) = await listener.NextAsync($"event {n} on the SignalR client of node {node}", Timeouts.Event);
                Assert.Equal("messages.upsert", name);
                Assert.Equal(n, envelope.GetProperty("data").GetProperty("n").GetInt32());
            }
        }
    }

    [Fact]
    public async Task Tokens_and_settings_set_on_A_apply_on_B()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);

        using (var created = await a.Http.PutAsJsonAsync("/api/instances/shop", new { token = "shop-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var taken = await b.Http.PutAsJsonAsync("/api/instances/other", new { token = "shop-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        }

        using (var set = await a.Http.PostAsJsonAsync("/websocket/set/shop", new { websocket = new { enabled = true, events = new[] { "CONNECTION_UPDATE" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        }

        var found = await b.Http.GetFromJsonAsync<JsonElement>("/websocket/find/shop");
        Assert.Equal("""{"enabled":true,"events":["CONNECTION_UPDATE"]}""", found.GetRawText());

        // The token registered on A opens the instance's namespace on B.
        await using var driver = SocketIoDriver.Start();
        await ConnectAsync(driver, "shop-on-b", b, "/shop", new { transports = new[] { "websocket" }, auth = new { apikey = "shop-token-0123456789" } });
        using (var instanceKeyOnB = new HttpRequestMessage(HttpMethod.Get, "/websocket/find/shop"))
        {
            instanceKeyOnB.Headers.Add("apikey", "shop-token-0123456789");
            using var response = await new HttpClient { BaseAddress = b.BaseUri }.SendAsync(instanceKeyOnB);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The filter set on A applies to an event published on B: the one it blocks would have come first.
        using var published = await b.PostEventsAsync(new object[]
        {
            new { @event = "MESSAGES_UPSERT", instance = "shop", data = new { blocked = true } },
            new { @event = "CONNECTION_UPDATE", instance = "shop", data = new { state = "open" } },
        });
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        var update = await driver.NextAsync("shop-on-b", "connection.update", timeoutMs: Timeouts.EventMs);
        Assert.Equal("open", update[0]!["data"]!["state"]!.GetValue<string>());
        // Events of one instance arrive in order, so a messages.upsert let through would already be queued: no waiting needed.
        await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync("shop-on-b", "messages.upsert", timeoutMs: 200));
    }

    [Fact]
    public async Task A_filter_changed_on_A_applies_on_B_to_the_next_events_though_B_delivered_that_instance_before()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        await SetFilterAsync(a, "shop", "MESSAGES_UPSERT", "CONNECTION_UPDATE");
        await using var driver = SocketIoDriver.Start();
        await ConnectAsync(driver, "shop-on-b", b, "/shop", GlobalAuth);
        for (var n = 1; n <= 2; n++)
        {
            await a.PublishAsync("shop", "MESSAGES_UPSERT", new { n });
            var received = await driver.NextAsync("shop-on-b", "messages.upsert", timeoutMs: Timeouts.EventMs);
            Assert.Equal(n, received[0]!["data"]!["n"]!.GetValue<int>());
        }

        await SetFilterAsync(a, "shop", "CONNECTION_UPDATE");
        await AssertOnlyConnectionUpdateArrivesAsync(a, driver, "shop-on-b");
    }

    [Fact]
    public async Task A_filter_changed_while_B_was_cut_off_from_Redis_applies_on_B_once_it_is_back()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var a = farm[0];
        var relay = farm.StartRelay();
        var b = await farm.StartNodeAsync("b", waitReady: true, relay: relay);
        await SetFilterAsync(a, "shop", "MESSAGES_UPSERT", "CONNECTION_UPDATE");
        await using var driver = SocketIoDriver.Start();
        await ConnectAsync(driver, "shop-on-b", b, "/shop", GlobalAuth);
        for (var n = 1; n <= 2; n++)
        {
            await a.PublishAsync("shop", "MESSAGES_UPSERT", new { n });
            await driver.NextAsync("shop-on-b", "messages.upsert", timeoutMs: Timeouts.EventMs);
        }

        relay.Sever();
        await Eventually.UntilAsync(async () => await b.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), "node b to see Redis gone");
        await SetFilterAsync(a, "shop", "CONNECTION_UPDATE");
        relay.Restore();
        await b.WaitReadyAsync(TimeSpan.FromSeconds(30));

        await AssertOnlyConnectionUpdateArrivesAsync(a, driver, "shop-on-b");
    }

    private static async Task SetFilterAsync(HubNode node, string instance, params string[] events)
    {
        using var set = await node.Http.PostAsJsonAsync($"/websocket/set/{instance}", new { websocket = new { enabled = true, events } });
        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
    }

    /// <summary>Publishes a messages.upsert then a connection.update of <c>shop</c>: only the second may reach the client.</summary>
    private static async Task AssertOnlyConnectionUpdateArrivesAsync(HubNode publisher, SocketIoDriver driver, string client)
    {
        using var published = await publisher.PostEventsAsync(new object[]
        {
            new { @event = "MESSAGES_UPSERT", instance = "shop", data = new { blocked = true } },
            new { @event = "CONNECTION_UPDATE", instance = "shop", data = new { state = "open" } },
        });
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        var update = await driver.NextAsync(client, "connection.update", timeoutMs: Timeouts.EventMs);
        Assert.Equal("open", update[0]!["data"]!["state"]!.GetValue<string>());
        // Events of one instance arrive in order, so a messages.upsert let through would already be queued: no waiting needed.
        await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync(client, "messages.upsert", timeoutMs: 200));
    }

    internal static async Task ConnectAsync(SocketIoDriver driver, string name, HubNode node, string ns, object options)
    {
        var result = await driver.ConnectAsync(name, node.BaseUri.ToString().TrimEnd('/') + ns, options, timeoutMs: Timeouts.ConnectMs);
        Assert.True(result?["connected"]?.GetValue<bool>() == true, $"{name} did not connect to node {node.Name}: {result?.ToJsonString()}");
        await driver.NextAsync(name, "$connect");
    }
}
