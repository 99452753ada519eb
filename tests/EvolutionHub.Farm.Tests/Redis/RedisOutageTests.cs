using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary>
/// Redis stopped for 10 s and started again on the same port: the nodes stay up, say they are not ready, refuse what they
/// cannot do instead of losing it, and then reconnect by themselves and deliver again.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Nodes_survive_a_10_second_Redis_outage_and_deliver_again_after_it()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "on-b", b, "/outage", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await FanOutTests.ConnectAsync(driver, "on-a-polling", a, "/outage", new { transports = new[] { "polling" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalROnB = await EventRecorder.SubscribeAsync(b.BaseUri, HubNode.GlobalKey, "outage", "messages.upsert");

        var down = Stopwatch.StartNew();
        await farm.Redis.StopAsync();

        foreach (var node in farm.Nodes)
        {
            await Eventually.UntilAsync(async () => await node.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), $"node {node.Name} to report /health/ready 503 with Redis down");
            using var live = await node.Http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // A publish is refused, not accepted and dropped: the publisher keeps it and retries.
        using (var refused = await a.PostEventsAsync(new { @event = "MESSAGES_UPSERT", instance = "outage", data = new { during = true } }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using (var settings = await b.Http.GetAsync("/websocket/find/outage"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, settings.StatusCode);
        }

        var publish = await Assert.ThrowsAsync<HubException>(() => signalROnB.InvokeAsync("Publish", new { @event = "MESSAGES_UPSERT", instance = "outage", data = new { } }));
        Assert.Contains("Redis is unreachable", publish.Message, StringComparison.Ordinal);

        // A new client is refused at the handshake (503), which socket.io-client retries by itself.
        var newcomer = await driver.ConnectAsync("new-during-outage", b.BaseUri.ToString().TrimEnd('/') + "/outage", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.False(newcomer?["connected"]?.GetValue<bool>(), newcomer?.ToJsonString());

        // The deliberate outage: the scenario itself, not a synchronisation.
        var rest = Outage - down.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        await farm.Redis.StartAgainAsync();
        foreach (var node in farm.Nodes)
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
            Assert.False(node.HasExited, $"node {node.Name} exited during the outage\n{node.Output}");
        }

        // The clients were never cut: Redis carries events between nodes, not the connections.
        foreach (var client in new[] { "on-b", "on-a-polling" })
        {
            Assert.True((await driver.StateAsync(client))?["connected"]?.GetValue<bool>(), $"{client} was disconnected by the outage");
        }

        Assert.False(signalROnB.Closed.IsCompleted, "the SignalR client on B was closed by the outage");
        await driver.NextAsync("new-during-outage", "$connect", timeoutMs: 30000);

        await a.PublishAsync("outage", "MESSAGES_UPSERT", new { after = "recovery" });
        foreach (var client in new[] { "on-b", "on-a-polling", "new-during-outage" })
        {
            var received = await driver.NextAsync(client, "messages.upsert", timeoutMs: Timeouts.EventMs);
            Assert.Equal("recovery", received[0]!["data"]!["after"]!.GetValue<string>());
        }

        var (_, envelope) = await signalROnB.NextAsync("the event published after recovery on B's SignalR client", Timeouts.Event);
        Assert.Equal("recovery", envelope.GetProperty("data").GetProperty("after").GetString());
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_down_waits_for_it_then_serves_and_revokes()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var a = farm[0];
        await farm.Redis.StopAsync();

        // It also lists an instance in its configuration: registering it must wait for Redis, not stop the node.
        var late = await farm.StartNodeAsync("late", waitReady: false, new Dictionary<string, string> { ["Instances__seeded__Token"] = "seeded-token-0123456789" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await late.ReadinessAsync());

        await farm.Redis.StartAgainAsync();
        await late.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await a.WaitReadyAsync(TimeSpan.FromSeconds(30));

        using (var created = await a.Http.PutAsJsonAsync("/api/instances/late", new { token = "late-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "on-late", late, "/late", new { transports = new[] { "websocket" }, auth = new { apikey = "late-token-0123456789" } });
        await a.PublishAsync("late", "MESSAGES_UPSERT", new { to = "late" });
        await driver.NextAsync("on-late", "messages.upsert", timeoutMs: Timeouts.EventMs);

        await Eventually.UntilAsync(async () =>
        {
            using var list = await a.Http.GetAsync("/api/instances");
            return (await list.Content.ReadAsStringAsync()).Contains("\"seeded\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), "the configured instance to be registered once Redis is back");

        // Its revocation subscription was made while Redis was away: it must have been sent once Redis came.
        using (var deleted = await a.Http.DeleteAsync("/api/instances/late"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await driver.NextAsync("on-late", "$disconnect", timeoutMs: 5000);
    }
}
