using System.Net;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>What one connection or one address may do: client events per second, SignalR connections at once.</summary>
public sealed class ClientLimitsTests
{
    private static Dictionary<string, string?> Settings(Upstream upstream) => new()
    {
        ["Evolution:BaseUrl"] = upstream.BaseUrl,
        ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}",
        ["Limits:ClientEventsPerSecond"] = "5",
    };

    [Fact]
    public async Task SignalR_calls_over_the_rate_fail_with_Too_many_events_and_are_not_forwarded()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();

        var refused = 0;
        for (var i = 0; i < 20; i++)
        {
            try
            {
                await connection.InvokeAsync<object>("Send", "shop", "send_message", new { i });
            }
            catch (HubException exception)
            {
                Assert.Contains(ClientEventRateFilter.TooManyEventsMessage, exception.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        Assert.InRange(refused, 10, 15);
        Assert.Equal(20 - refused, upstream.Requests.Count);
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task Socket_IO_emits_over_the_rate_get_an_error_ack_and_are_not_forwarded()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", hub.BaseUri.ToString().TrimEnd('/') + "/shop", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());

        var acks = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            acks.Add((await driver.EmitWithAckAsync("c", "send_message", new { i })).ToJsonString());
        }

        var refused = acks.Count(ack => ack.Contains(ClientEventRateFilter.TooManyEventsMessage, StringComparison.Ordinal));
        Assert.InRange(refused, 10, 15);
        Assert.Equal(20 - refused, upstream.Requests.Count);
        Assert.True((await driver.StateAsync("c"))!["connected"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_address_at_MaxConnectionsPerAddress_gets_429_until_one_of_its_connections_closes()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxConnectionsPerAddress"] = "2" });
        await using var first = hub.SignalR(HubServer.GlobalKey);
        await using var second = hub.SignalR(HubServer.GlobalKey, Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling);
        await first.StartAsync();
        await second.StartAsync();

        await using (var third = hub.SignalR(HubServer.GlobalKey))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await Assert.ThrowsAsync<HttpRequestException>(() => third.StartAsync())).StatusCode);
        }

        await using (var skipping = hub.SignalR(HubServer.GlobalKey, configure: options => options.SkipNegotiation = true))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => skipping.StartAsync());
        }

        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1", HubServer.GlobalKey), 429);

        await first.StopAsync();
        await using var fourth = hub.SignalR(HubServer.GlobalKey);
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await fourth.StartAsync();
                return true;
            }
            catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(5), "the closed connection to be counted out");
    }
}
