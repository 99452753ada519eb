using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Lifecycle;

/// <summary>README "Run a farm": on a farm the state lives in Redis, so a node started again after every node went away still has it.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_node_restarted_on_the_same_Redis_still_has_the_instance_tokens_and_websocket_settings()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var before = farm[0];
        using (var created = await before.Http.PutAsJsonAsync("/api/instances/kept", new { token = "kept-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var set = await before.Http.PostAsJsonAsync("/websocket/set/kept", new { websocket = new { enabled = true, events = new[] { "CONNECTION_UPDATE" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        }

        // SIGKILL: no node is left holding anything in memory. The new node runs in a folder of its own, so no local file can
        // hold the state either: only Redis.
        await before.KillAsync();
        var after = await farm.StartNodeAsync("A-restarted", waitReady: true);

        Assert.Equal("""[{"name":"kept","connections":0}]""", (await after.Http.GetFromJsonAsync<JsonElement>("/api/instances")).GetRawText());
        using (var byToken = new HttpRequestMessage(HttpMethod.Get, "/websocket/find/kept"))
        {
            byToken.Headers.Add("apikey", "kept-token-0123456789");
            using var client = new HttpClient { BaseAddress = after.BaseUri };
            using var response = await client.SendAsync(byToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"enabled":true,"events":["CONNECTION_UPDATE"]}""", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetRawText());
        }

        // The token opens its namespace on the new node, and the filter applies there: the event it blocks would have come first.
        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "kept", after, "/kept", new { transports = new[] { "websocket" }, auth = new { apikey = "kept-token-0123456789" } });
        using var published = await after.PostEventsAsync(new object[]
        {
            new { @event = "MESSAGES_UPSERT", instance = "kept", data = new { blocked = true } },
            new { @event = "CONNECTION_UPDATE", instance = "kept", data = new { state = "open" } },
        });
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        Assert.Equal("open", (await driver.NextAsync("kept", "connection.update", timeoutMs: Timeouts.EventMs))[0]!["data"]!["state"]!.GetValue<string>());
        // Events of one instance arrive in order, so a messages.upsert let through would already be queued: no waiting needed.
        await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync("kept", "messages.upsert", timeoutMs: 200));
    }
}
