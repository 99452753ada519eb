using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Farm.Tests.Lifecycle;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary>
/// A Redis that answers but refuses commands — full (<c>maxmemory</c> with <c>noeviction</c>: OOM) or turned into a
/// read-only replica (READONLY) — is an outage to the nodes: they stay up with their clients, say they are not ready,
/// answer 503 with Retry-After instead of failing or accepting what they cannot keep, and serve again by themselves once
/// Redis takes writes again.
/// </summary>
public sealed class RedisRefusalTests
{
    [Fact]
    public async Task Nodes_survive_a_full_Redis_and_serve_again_once_it_has_room()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        await SurviveRefusalAsync(
            farm,
            refuse: () => farm.Redis.CliAsync("CONFIG", "SET", "maxmemory", "1"),
            accept: () => farm.Redis.CliAsync("CONFIG", "SET", "maxmemory", "0"),
            what: "a full Redis (maxmemory 1, noeviction)");
    }

    [Fact]
    public async Task Nodes_survive_a_Redis_turned_read_only_replica_and_serve_again_once_it_is_primary()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var missingPrimary = FreePort.Next();
        await SurviveRefusalAsync(
            farm,
            refuse: () => farm.Redis.CliAsync("REPLICAOF", "127.0.0.1", missingPrimary.ToString()),
            accept: () => farm.Redis.CliAsync("REPLICAOF", "NO", "ONE"),
            what: "a read-only Redis (REPLICAOF a primary that does not exist)");
    }

    private static async Task SurviveRefusalAsync(HubFarm farm, Func<Task<string>> refuse, Func<Task<string>> accept, string what)
    {
        var (a, b) = (farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "on-a", a, "/refused", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalROnB = await EventRecorder.SubscribeAsync(b.BaseUri, HubNode.GlobalKey, "refused", "messages.upsert");
        await Eventually.UntilAsync(async () => await NodeFailureTests.CountOnAsync(a, "refused") == 2, TimeSpan.FromSeconds(15), "both clients to be counted");

        Assert.Equal("OK", await refuse());
        foreach (var node in farm.Nodes)
        {
            await Eventually.UntilAsync(async () => node.HasExited || await node.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), $"node {node.Name} to report /health/ready 503 with {what}\n{node.Output}");
            Assert.False(node.HasExited, $"node {node.Name} stopped with {what}: exit code {node.ExitCode}\n{node.Output}");
            using var live = await node.Http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // Publishing and the state calls are refused with 503 and Retry-After, as while Redis is unreachable.
        await AssertRefusedAsync(a, () => a.PostEventsAsync(new { @event = "MESSAGES_UPSERT", instance = "refused", data = new { during = true } }));
        await AssertRefusedAsync(b, () => b.Http.PutAsJsonAsync("/api/instances/refused", new { token = "refused-token-0123456789" }));
        await AssertRefusedAsync(b, () => b.Http.GetAsync("/websocket/find/refused"));
        await AssertRefusedAsync(a, () => a.Http.GetAsync("/api/instances"));
        var publish = await Assert.ThrowsAsync<HubException>(() => signalROnB.InvokeAsync("Publish", new { @event = "MESSAGES_UPSERT", instance = "refused", data = new { } }));
        Assert.Contains("Unavailable", publish.Message, StringComparison.Ordinal);

        // A new client is refused at the handshake, which socket.io-client retries by itself.
        var newcomer = await driver.ConnectAsync("newcomer", b.BaseUri.ToString().TrimEnd('/') + "/refused", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: 3000);
        Assert.False(newcomer?["connected"]?.GetValue<bool>(), newcomer?.ToJsonString());

        // The connection counts' heartbeat (every second with Redis:NodeTimeoutSeconds=3) meets the refusal on both nodes.
        foreach (var node in farm.Nodes)
        {
            await node.WaitForOutputAsync("could not write its connection counts", TimeSpan.FromSeconds(10));
        }

        Assert.Equal("OK", await accept());
        foreach (var node in farm.Nodes)
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
            Assert.False(node.HasExited, $"node {node.Name} stopped with {what}\n{node.Output}");
        }

        Assert.True((await driver.StateAsync("on-a"))?["connected"]?.GetValue<bool>(), "the Socket.IO client on A was disconnected by the refusal");
        Assert.False(signalROnB.Closed.IsCompleted, "the SignalR client on B was closed by the refusal");
        await driver.NextAsync("newcomer", "$connect", timeoutMs: 30000);

        using (var created = await b.Http.PutAsJsonAsync("/api/instances/refused", new { token = "refused-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await a.PublishAsync("refused", "MESSAGES_UPSERT", new { after = "refusal" });
        foreach (var client in new[] { "on-a", "newcomer" })
        {
            var received = await driver.NextAsync(client, "messages.upsert", timeoutMs: Timeouts.EventMs);
            Assert.Equal("refusal", received[0]!["data"]!["after"]!.GetValue<string>());
        }

        var (_, envelope) = await signalROnB.NextAsync("the event published after the refusal, on B's SignalR client", Timeouts.Event);
        Assert.Equal("refusal", envelope.GetProperty("data").GetProperty("after").GetString());
        await Eventually.UntilAsync(async () => await NodeFailureTests.CountOnAsync(b, "refused") == 3, TimeSpan.FromSeconds(15), "the three clients to be counted again");
    }

    private static async Task AssertRefusedAsync(HubNode node, Func<Task<HttpResponseMessage>> request)
    {
        using var response = await request();
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"node {node.Name} answered {(int)response.StatusCode}: {body}");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
