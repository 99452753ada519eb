using EvolutionHub.Internal.Metrics;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Hub.Tests;

public sealed class MetricsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connections_are_counted_by_protocol_and_transport_and_uncounted_when_they_close()
    {
        await using var hub = await HubServer.StartAsync();
        await using var webSockets = hub.SignalR(HubServer.GlobalKey);
        await using var serverSentEvents = hub.SignalR(HubServer.GlobalKey, HttpTransportType.ServerSentEvents);
        await using var longPolling = hub.SignalR(HubServer.GlobalKey, HttpTransportType.LongPolling);
        await webSockets.StartAsync();
        await serverSentEvents.StartAsync();
        await longPolling.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/') + "/counted";
        foreach (var (name, transport) in new[] { ("ws", "websocket"), ("ws2", "websocket"), ("poll", "polling") })
        {
            var connected = await driver.ConnectAsync(name, url, new { transports = new[] { transport }, auth = new { apikey = HubServer.GlobalKey }, forceNew = true });
            Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
        }

        await UntilAsync(hub, scrape =>
            scrape.Value("evolutionhub_connections", ("protocol", "signalr"), ("transport", "websocket")) == 1
            && scrape.Value("evolutionhub_connections", ("protocol", "signalr"), ("transport", "sse")) == 1
            && scrape.Value("evolutionhub_connections", ("protocol", "signalr"), ("transport", "longpolling")) == 1
            && scrape.Value("evolutionhub_connections", ("protocol", "socketio"), ("transport", "websocket")) == 2
            && scrape.Value("evolutionhub_connections", ("protocol", "socketio"), ("transport", "longpolling")) == 1,
            "one connection per SignalR transport and 2 + 1 Socket.IO ones");

        await longPolling.StopAsync();
        await driver.DisconnectAsync("ws2");
        await UntilAsync(hub, scrape =>
            scrape.Value("evolutionhub_connections", ("protocol", "signalr"), ("transport", "longpolling")) == 0
            && scrape.Value("evolutionhub_connections", ("protocol", "socketio"), ("transport", "websocket")) == 1
            && scrape.Value("evolutionhub_connections") == 4,
            "the closed connections to be uncounted");
    }

    [Fact]
    public async Task Authentication_failures_are_counted_per_protocol()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("guarded", "guarded-token-0123456789");
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", "wrong-key"), 401);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", "guarded-token-0123456789"), 403);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200);
        await using var refused = hub.SignalR("wrong-key");
        await Assert.ThrowsAnyAsync<Exception>(() => refused.StartAsync());
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync(
            "c", hub.BaseUri.ToString().TrimEnd('/') + "/guarded", new { transports = new[] { "websocket" }, auth = new { apikey = "wrong-key" } });
        Assert.False(connect!["connected"]!.GetValue<bool>(), connect.ToJsonString());

        await UntilAsync(hub, scrape =>
            scrape.Value("evolutionhub_authentication_failures_total", ("protocol", "http")) == 2
            && scrape.Value("evolutionhub_authentication_failures_total", ("protocol", "signalr")) == 1
            && scrape.Value("evolutionhub_authentication_failures_total", ("protocol", "socketio")) == 1,
            "2 HTTP, 1 SignalR and 1 Socket.IO refusal");
    }

    [Fact]
    public async Task Slow_consumer_disconnects_are_counted_through_HubMetrics()
    {
        await using var hub = await HubServer.StartAsync();
        var metrics = hub.Services.GetRequiredService<HubMetrics>();

        metrics.SlowConsumerDisconnected();
        metrics.SlowConsumerDisconnected();

        await UntilAsync(hub, scrape => scrape.Value("evolutionhub_slow_consumer_disconnects_total") == 2, "two slow-consumer disconnects");
    }

    [Fact]
    public async Task The_scrape_has_ASP_NET_Core_Kestrel_SignalR_and_runtime_metrics()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/health/live", null), 200);

        await UntilAsync(hub, scrape =>
            scrape.Has("http_server_request_duration_seconds_count")
            && scrape.Has("kestrel_active_connections")
            && scrape.Value("signalr_server_active_connections") == 1
            && scrape.Has("dotnet_gc_collections_total"),
            "the request, Kestrel, SignalR and runtime series");
    }

    [Fact]
    public async Task Another_hub_in_the_same_process_is_not_counted_in_this_hubs_scrape()
    {
        await using var counted = await HubServer.StartAsync();
        await using var other = await HubServer.StartAsync();
        await counted.PublishAsync(new { @event = "CALL", instance = "mine", data = new { } });
        await UntilAsync(counted, scrape => scrape.Value("evolutionhub_events_in_total") == 1, "the publishing hub to count its event");

        var scrape = await PrometheusScrape.ReadAsync(other.Http);

        Assert.Null(scrape.Value("evolutionhub_events_in_total"));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_the_hubs_metrics_traces_and_logs_are_exported_over_OTLP()
    {
        await using var collector = await Upstream.StartAsync();
        collector.Status = 200;
        collector.Body = "";
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = "otlp-key",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        });
        using var publish = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent("""{"event":"CALL","instance":"otlp","data":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        publish.Headers.Add("apikey", "otlp-key");
        await Expect.StatusAsync(await hub.Http.SendAsync(publish), 202);

        await Eventually.UntilAsync(
            () => Task.FromResult(collector.Requests.Any(r => r.Method == "POST" && r.Path == "/v1/metrics" && r.Body.Contains("evolutionhub.events_in", StringComparison.Ordinal))),
            Wait,
            "an OTLP export of evolutionhub.events_in to /v1/metrics");
        await Eventually.UntilAsync(
            () => Task.FromResult(collector.Requests.Any(r => r.Path == "/v1/traces" && r.Body.Contains("/api/events", StringComparison.Ordinal))),
            Wait,
            "an OTLP export of the publish request's trace to /v1/traces");
        await Eventually.UntilAsync(
            () => Task.FromResult(collector.Requests.Any(r => r.Path == "/v1/logs" && r.Body.Contains("EvolutionHub", StringComparison.Ordinal))),
            Wait,
            "an OTLP export of the banner to /v1/logs");
    }

    private static Task UntilAsync(HubServer hub, Func<PrometheusScrape, bool> condition, string what) =>
        Eventually.UntilAsync(async () => condition(await PrometheusScrape.ReadAsync(hub.Http)), Wait, what);
}
