using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests;

/// <summary>Revoking or rotating a token on one node cuts that token's clients on every node within 5 s.</summary>
public sealed class RevocationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Deleting_an_instance_on_A_disconnects_its_token_holders_on_B_and_C_within_5_seconds()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 3);
        var (a, b, c) = (farm[0], farm[1], farm[2]);
        using (var created = await a.Http.PutAsJsonAsync("/api/instances/vip", new { token = "vip-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "token-on-b", b, "/vip", new { transports = new[] { "websocket" }, auth = new { apikey = "vip-token-0123456789" } });
        await FanOutTests.ConnectAsync(driver, "token-on-c-polling", c, "/vip", new { transports = new[] { "polling" }, query = new { apikey = "vip-token-0123456789" } });
        await FanOutTests.ConnectAsync(driver, "global-on-b", b, "/vip", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var signalROnC = await SignalRListener.StartAsync(c, "vip-token-0123456789", "vip", "messages.upsert");

        var clock = Stopwatch.StartNew();
        using (var deleted = await a.Http.DeleteAsync("/api/instances/vip"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await driver.NextAsync("token-on-b", "$disconnect", timeoutMs: (int)Deadline.TotalMilliseconds);
        await driver.NextAsync("token-on-c-polling", "$disconnect", timeoutMs: (int)Math.Max(1, (Deadline - clock.Elapsed).TotalMilliseconds));
        await signalROnC.Closed.WithTimeout(Deadline - clock.Elapsed, "the SignalR client on C holding the revoked token to be closed");
        Assert.True(clock.Elapsed < Deadline, $"revocation took {clock.Elapsed.TotalSeconds:0.0} s");

        // The global key's client is not the token's: it stays, and still receives.
        Assert.True((await driver.StateAsync("global-on-b"))?["connected"]?.GetValue<bool>(), "the global-key client on B was disconnected too");
        await a.PublishAsync("vip", "MESSAGES_UPSERT", new { after = "revocation" });
        await driver.NextAsync("global-on-b", "messages.upsert", timeoutMs: Timeouts.EventMs);

        // The revoked token opens nothing anywhere.
        var refused = await driver.ConnectAsync("token-again-on-c", c.BaseUri.ToString().TrimEnd('/') + "/vip", new { transports = new[] { "websocket" }, auth = new { apikey = "vip-token-0123456789" } });
        Assert.Equal("Unauthorized", refused?["error"]?.GetValue<string>());
    }

    [Fact]
    public async Task Rotating_a_token_on_A_disconnects_the_old_tokens_clients_on_B_within_5_seconds()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var (a, b) = (farm[0], farm[1]);
        using (var created = await b.Http.PutAsJsonAsync("/api/instances/rot", new { token = "rot-old-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "old-on-b", b, "/rot", new { auth = new { apikey = "rot-old-0123456789" } });

        var clock = Stopwatch.StartNew();
        using (var rotated = await a.Http.PutAsJsonAsync("/api/instances/rot", new { token = "rot-new-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        await driver.NextAsync("old-on-b", "$disconnect", timeoutMs: (int)Deadline.TotalMilliseconds);
        Assert.True(clock.Elapsed < Deadline, $"rotation took {clock.Elapsed.TotalSeconds:0.0} s to cut the old token");

        await FanOutTests.ConnectAsync(driver, "new-on-b", b, "/rot", new { transports = new[] { "websocket" }, auth = new { apikey = "rot-new-0123456789" } });
        var refused = await driver.ConnectAsync("old-again-on-a", a.BaseUri.ToString().TrimEnd('/') + "/rot", new { transports = new[] { "websocket" }, auth = new { apikey = "rot-old-0123456789" } });
        Assert.Equal("Unauthorized", refused?["error"]?.GetValue<string>());
    }
}
