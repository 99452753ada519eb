using System.Net;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Testing;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Hub.Tests;

/// <summary>Failed authentications per source address, counted on every way in; past the limit the address is refused for a while.</summary>
public sealed class FailedAuthenticationTests
{
    private static readonly Dictionary<string, string?> FiveThenTwoSeconds = new()
    {
        ["Limits:FailedAuthenticationsPerMinute"] = "5",
        ["Limits:BlockSeconds"] = "2",
    };

    [Fact]
    public async Task One_Socket_IO_session_guessing_keys_is_refused_after_30_failures_even_with_the_right_key()
    {
        await using var hub = await HubServer.StartAsync();
        var socket = await RawSocketIo.OpenAsync(hub.Http);
        for (var guess = 0; guess < 30; guess++)
        {
            Assert.Equal("""44/shop,{"message":"Unauthorized"}""", await socket.ConnectAsync("/shop", $"guess-{guess}"));
        }

        Assert.Equal("""44/shop,{"message":"Too many attempts"}""", await socket.ConnectAsync("/shop", HubServer.GlobalKey));

        // A real client from that address is told the same.
        await using var driver = SocketIoDriver.Start();
        var refused = await driver.ConnectAsync("right-key", hub.BaseUri.ToString().TrimEnd('/') + "/shop",
            new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.Equal("Too many attempts", refused!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Failures_on_every_way_in_count_together_and_the_block_refuses_every_way_in_with_429_or_Too_many_attempts()
    {
        await using var hub = await HubServer.StartAsync(FiveThenTwoSeconds);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", "wrong-1"), 401);
        await Expect.ProblemAsync(await hub.PostAsync("/webhook", null, new { @event = "CALL", instance = "shop", apikey = "wrong-2" }), 401);
        await using (var wrong = hub.SignalR("wrong-3"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => wrong.StartAsync())).StatusCode);
        }

        var socket = await RawSocketIo.OpenAsync(hub.Http);
        Assert.Equal("""44/shop,{"message":"Unauthorized"}""", await socket.ConnectAsync("/shop", "wrong-4"));

        // Missing keys are no guesses: they do not count.
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", null), 401);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200);

        // The fifth failure blocks, and a success in between reset nothing.
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/shop", "wrong-5"), 401);

        using (var blocked = await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey))
        {
            await Expect.ProblemAsync(blocked, 429);
            var retryAfter = int.Parse(blocked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 2);
        }

        await Expect.ProblemAsync(await hub.PostAsync("/webhook", HubServer.GlobalKey, new { @event = "CALL", instance = "shop" }), 429);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1", HubServer.GlobalKey), 429);
        await using (var right = hub.SignalR(HubServer.GlobalKey))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await Assert.ThrowsAsync<HttpRequestException>(() => right.StartAsync())).StatusCode);
        }

        Assert.Equal("""44/shop,{"message":"Too many attempts"}""", await socket.ConnectAsync("/shop", HubServer.GlobalKey));

        // Once the block is over, the right key works again.
        await Eventually.UntilAsync(
            async () => (await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5),
            "the block of 2 s to end");
        await using var again = hub.SignalR(HubServer.GlobalKey);
        await again.StartAsync();
    }

    [Fact]
    public async Task The_table_of_addresses_holds_at_most_its_cap_and_forgets_addresses_whose_minute_is_over()
    {
        var clock = new ManualClock();
        var failures = new FailedAuthentications(Options.Create(new LimitsOptions { FailedAuthenticationsPerMinute = 3, BlockSeconds = 120 }), clock);
        for (var i = 0; i < FailedAuthentications.MaxAddresses + 1000; i++)
        {
            failures.RecordFailure(new IPAddress(BitConverter.GetBytes(i + 1)));
        }

        Assert.Equal(FailedAuthentications.MaxAddresses, failures.Count);

        // An address counted before the table filled is still counted and blocked.
        var counted = new IPAddress(BitConverter.GetBytes(1));
        failures.RecordFailure(counted);
        failures.RecordFailure(counted);
        Assert.True(failures.IsBlocked(counted, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(120), retryAfter);

        // A minute later the others are forgotten to make room; the blocked one stays until its block ends.
        clock.Advance(TimeSpan.FromSeconds(61));
        var newcomer = IPAddress.Parse("203.0.113.9");
        failures.RecordFailure(newcomer);
        Assert.Equal(2, failures.Count);
        Assert.True(failures.IsBlocked(counted, out _));
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.False(failures.IsBlocked(counted, out _));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
