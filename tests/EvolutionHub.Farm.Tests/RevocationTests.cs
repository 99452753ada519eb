using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

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
        await using var signalROnC = await EventRecorder.SubscribeAsync(c.BaseUri, "vip-token-0123456789", "vip", "messages.upsert");

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

    [Fact]
    public async Task Tokens_revoked_and_rotated_while_B_was_cut_from_Redis_are_cut_on_B_within_5_seconds_of_its_return()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 1);
        var a = farm[0];
        var relay = farm.StartRelay();

        // B's periodic re-check is pushed out of the test's reach: only seeing Redis again can make B cut in time.
        var b = await farm.StartNodeAsync("B", waitReady: true, new Dictionary<string, string> { ["Redis__CredentialRecheckSeconds"] = "3600" }, relay);
        foreach (var (instance, token) in new[] { ("cut-deleted", "deleted-token-0123456789"), ("cut-rotated", "rotated-old-0123456789") })
        {
            using var created = await a.Http.PutAsJsonAsync($"/api/instances/{instance}", new { token });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "deleted-on-b", b, "/cut-deleted", new { transports = new[] { "websocket" }, auth = new { apikey = "deleted-token-0123456789" } });
        await FanOutTests.ConnectAsync(driver, "rotated-on-b", b, "/cut-rotated", new { transports = new[] { "polling" }, auth = new { apikey = "rotated-old-0123456789" } });
        await FanOutTests.ConnectAsync(driver, "global-on-b", b, "/cut-deleted", new { transports = new[] { "websocket" }, auth = new { apikey = HubNode.GlobalKey } });
        await using var deletedSignalR = await EventRecorder.SubscribeAsync(b.BaseUri, "deleted-token-0123456789", "cut-deleted", "messages.upsert");
        await using var rotatedSignalR = await EventRecorder.SubscribeAsync(b.BaseUri, "rotated-old-0123456789", "cut-rotated", "messages.upsert");

        var cut = Stopwatch.StartNew();
        relay.Sever();
        await Eventually.UntilAsync(async () => await b.ReadinessAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), "node B to see that it is cut from Redis");
        using (var deleted = await a.Http.DeleteAsync("/api/instances/cut-deleted"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var rotated = await a.Http.PutAsJsonAsync("/api/instances/cut-rotated", new { token = "rotated-new-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        // The cut lasts 3 s in all: the scenario itself, not a synchronisation.
        var rest = TimeSpan.FromSeconds(3) - cut.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        Assert.True((await driver.StateAsync("deleted-on-b"))?["connected"]?.GetValue<bool>(), "the cut itself disconnected B's clients: the test proves nothing");
        relay.Restore();
        var back = Stopwatch.StartNew();
        await driver.NextAsync("deleted-on-b", "$disconnect", timeoutMs: (int)Deadline.TotalMilliseconds);
        await driver.NextAsync("rotated-on-b", "$disconnect", timeoutMs: (int)Math.Max(1, (Deadline - back.Elapsed).TotalMilliseconds));
        await deletedSignalR.Closed.WithTimeout(Deadline - back.Elapsed, "the SignalR client on B holding the deleted token to be closed");
        await rotatedSignalR.Closed.WithTimeout(Deadline - back.Elapsed, "the SignalR client on B holding the rotated token to be closed");
        Assert.True(back.Elapsed < Deadline, $"B cut the revoked tokens {back.Elapsed.TotalSeconds:0.0} s after Redis was reachable again");

        Assert.True((await driver.StateAsync("global-on-b"))?["connected"]?.GetValue<bool>(), "the global-key client on B was disconnected too");
        await b.WaitReadyAsync(TimeSpan.FromSeconds(10));
        await a.PublishAsync("cut-deleted", "MESSAGES_UPSERT", new { after = "return" });
        await driver.NextAsync("global-on-b", "messages.upsert", timeoutMs: Timeouts.EventMs);
    }

    [Fact]
    public async Task Rotating_a_token_never_cuts_the_connections_made_with_the_new_token()
    {
        const int Rounds = 30;
        const int RacersPerNode = 4;

        // The racers' 401s before each rotation lands are failed authentications from one address: without room for them
        // the lockout, not the revocation, would refuse the new token.
        await using var farm = await HubFarm.StartAsync(nodes: 2, settings: new Dictionary<string, string> { ["Limits__FailedAuthenticationsPerMinute"] = "100000" });
        var (a, b) = (farm[0], farm[1]);
        List<(HubConnection Connection, Task<Exception?> Closed, string What)> admitted = [];
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var instance = $"race-{round}";
                using (var created = await a.Http.PutAsJsonAsync($"/api/instances/{instance}", new { token = $"{instance}-old-0123456789" }))
                {
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                }

                // Clients keep trying the new token while A rotates to it: the first to get in land around the revocation
                // of the old token, on A (where it runs in the request) and on B (where it arrives over Redis).
                var newToken = $"{instance}-new-0123456789";
                var rotation = a.Http.PutAsJsonAsync($"/api/instances/{instance}", new { token = newToken });
                var racers = new[] { a, b }.SelectMany(node => Enumerable.Range(0, RacersPerNode).Select(_ => ConnectWhenValidAsync(node, newToken)));
                foreach (var (connection, closed) in await Task.WhenAll(racers))
                {
                    admitted.Add((connection, closed, $"a client of {instance} with its new token"));
                }

                using var rotated = await rotation;
                Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            }

            // A revocation after all the rotations, whose effect can be awaited on both nodes: once its holders are cut,
            // each node has handled the rotations' revocations, which went out before it.
            using (var created = await a.Http.PutAsJsonAsync("/api/instances/race-sentinel", new { token = "sentinel-token-0123456789" }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            await using var sentinelOnA = await EventRecorder.SubscribeAsync(a.BaseUri, "sentinel-token-0123456789", "race-sentinel");
            await using var sentinelOnB = await EventRecorder.SubscribeAsync(b.BaseUri, "sentinel-token-0123456789", "race-sentinel");
            using (var deleted = await a.Http.DeleteAsync("/api/instances/race-sentinel"))
            {
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            await sentinelOnA.Closed.WithTimeout(Deadline, "the sentinel's holder on A to be cut");
            await sentinelOnB.Closed.WithTimeout(Deadline, "the sentinel's holder on B to be cut");

            var cut = 0;
            foreach (var (connection, closed, _) in admitted)
            {
                try
                {
                    // A round trip: a connection the node aborted cannot answer.
                    await connection.InvokeAsync("Unsubscribe", "race-probe").WithTimeout(TimeSpan.FromSeconds(10), "a connection to answer");
                }
                catch (Exception) when (closed.IsCompleted || connection.State != HubConnectionState.Connected)
                {
                    cut++;
                }
            }

            Assert.True(cut == 0, $"{cut} of {admitted.Count} connections made with a token after its rotation were cut by that rotation");
        }
        finally
        {
            await Task.WhenAll(admitted.Select(entry => entry.Connection.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Connects with <paramref name="token"/> as soon as the node accepts it (401 until then).</summary>
    private static async Task<(HubConnection Connection, Task<Exception?> Closed)> ConnectWhenValidAsync(HubNode node, string token)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(node.BaseUri, "/hubs/events"), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    options.Transports = HttpTransportType.WebSockets;
                    options.SkipNegotiation = true;
                })
                .Build();
            var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Closed += exception =>
            {
                closed.TrySetResult(exception);
                return Task.CompletedTask;
            };
            try
            {
                await connection.StartAsync();
                return (connection, closed.Task);
            }
            catch (Exception exception) when (exception.Message.Contains("401", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await connection.DisposeAsync();
            }
        }
    }
}
