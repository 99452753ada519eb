using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// A node told to stop (SIGTERM) still listens for a moment before its server stops: what arrives then is refused with 503
/// and <c>Retry-After</c>, so that a balancer or publisher sends it elsewhere, instead of being taken on by a node on its way out.
/// </summary>
public sealed class StoppingTests
{
    [Fact]
    public async Task From_the_stop_on_publishes_and_new_SignalR_connections_get_503_with_Retry_After()
    {
        await using var hub = await HubServer.StartAsync();
        // The host's ApplicationStopping, as SIGTERM raises it; this host is only stopped at the end, so it keeps listening.
        hub.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var envelope = new { @event = "MESSAGES_UPSERT", instance = "stopping", data = new { n = 1 } };
        foreach (var path in new[] { "/api/events", "/webhook", "/webhook/stopping" })
        {
            using var response = await hub.PostAsync(path, HubServer.GlobalKey, envelope);
            await ExpectRefusedAsync(response, $"POST {path}");
        }

        using (var negotiate = await hub.SendAsync(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1", HubServer.GlobalKey))
        {
            await ExpectRefusedAsync(negotiate, "the SignalR negotiate");
        }

        // A WebSocket connection without negotiation (skipNegotiation) is refused before the upgrade.
        using var webSocket = new ClientWebSocket();
        webSocket.Options.SetRequestHeader("apikey", HubServer.GlobalKey);
        webSocket.Options.CollectHttpResponseDetails = true;
        var upgrade = await Assert.ThrowsAsync<WebSocketException>(() => webSocket.ConnectAsync(new Uri(hub.Url("/hubs/events").ToString().Replace("http", "ws", StringComparison.Ordinal)), CancellationToken.None));
        Assert.True(webSocket.HttpStatusCode == System.Net.HttpStatusCode.ServiceUnavailable, $"a WebSocket without negotiation was answered {(int)webSocket.HttpStatusCode}: {upgrade.Message}");

        await using var after = hub.SignalR(HubServer.GlobalKey, HttpTransportType.WebSockets, configure: options => options.SkipNegotiation = true);
        await Assert.ThrowsAnyAsync<Exception>(() => after.StartAsync());
    }

    private static async Task ExpectRefusedAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 503, $"{what} on a stopping node was answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter is not null, $"{what}: 503 without Retry-After");
    }
}
