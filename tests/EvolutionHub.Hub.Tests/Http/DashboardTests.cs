using System.Text.Json;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

public sealed class DashboardTests
{
    [Fact]
    public async Task In_Chromium_a_wrong_key_is_refused_and_the_right_one_shows_connections_by_protocol_and_a_published_event()
    {
        await using var hub = await HubServer.StartAsync();
        await using var signalR = hub.SignalR(HubServer.GlobalKey);
        await signalR.StartAsync();
        await signalR.InvokeAsync("Subscribe", "dash-shop");
        await using var driver = SocketIoDriver.Start();
        var socket = await driver.ConnectAsync("c", hub.BaseUri.ToString().TrimEnd('/') + "/dash-shop", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(socket!["connected"]!.GetValue<bool>(), socket.ToJsonString());

        var result = await NodeScript.RunAsync("hub/dashboard.mjs", TimeSpan.FromSeconds(90), hub.BaseUri.ToString().TrimEnd('/'), HubServer.GlobalKey, "dash-shop");

        Assert.Equal("The key was refused: The API key is not valid.", result.GetProperty("refused").GetString());
        Assert.True(result.GetProperty("boardHiddenAfterWrongKey").GetBoolean());
        Assert.Equal(0, result.GetProperty("storedAfterWrongKey").GetInt32());
        Assert.Equal("single node", result.GetProperty("mode").GetString());
        Assert.Equal("dash-shop|2|1|1", result.GetProperty("instanceRow").GetString());
        var cells = result.GetProperty("eventCells").EnumerateArray().Select(cell => cell.GetString()!).ToArray();
        Assert.Equal(new[] { "dash-shop", "messages.upsert" }, cells[1..3]);
        Assert.StartsWith("""{"marker":"dashboard-""", cells[4]);
        Assert.All(result.GetProperty("filteredInstances").EnumerateArray(), instance => Assert.Equal("dash-shop", instance.GetString()));

        // The wrong key's 401 is the only failed request the page made.
        Assert.Equal(["Failed to load resource: the server responded with a status of 401 (Unauthorized)"],
            result.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_page_is_served_from_the_hub_with_a_strict_content_security_policy()
    {
        await using var hub = await HubServer.StartAsync();

        foreach (var (path, mediaType) in new[] { ("/dashboard", "text/html"), ("/dashboard/dashboard.js", "text/javascript"), ("/dashboard/dashboard.css", "text/css") })
        {
            using var response = await hub.SendAsync(HttpMethod.Get, path, apiKey: null);
            await Expect.StatusAsync(response, 200);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("default-src 'none'; script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        }

        var page = await hub.Http.GetStringAsync("/dashboard");
        Assert.DoesNotContain("http://", page);
        Assert.DoesNotContain("https://", page);
    }

    [Fact]
    public async Task The_dashboard_routes_take_the_global_key_only()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("dash", "dash-token-0123456789");

        foreach (var path in new[] { "/api/dashboard/summary", "/api/dashboard/events" })
        {
            await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, path, null), 401);
            await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, path, "wrong-key"), 401);
            await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, path, "dash-token-0123456789"), 403);
            await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, path, HubServer.GlobalKey), 200);
        }
    }

    [Fact]
    public async Task The_events_long_poll_answers_when_an_event_is_accepted()
    {
        await using var hub = await HubServer.StartAsync();
        var first = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/dashboard/events", HubServer.GlobalKey), 200);
        Assert.Equal(0, first.GetProperty("last").GetInt64());
        Assert.Equal(0, first.GetProperty("events").GetArrayLength());

        var poll = hub.SendAsync(HttpMethod.Get, "/api/dashboard/events?after=0", HubServer.GlobalKey);
        await hub.PublishAsync(new { @event = "CALL", instance = "polled", sender = "5511", data = new { big = new string('x', 5000) } });
        var page = await Expect.JsonAsync(await poll.WithTimeout(TimeSpan.FromSeconds(10), "the long-poll to answer the published event"), 200);

        Assert.Equal(1, page.GetProperty("last").GetInt64());
        var entry = page.GetProperty("events").EnumerateArray().Single();
        Assert.Equal("polled", entry.GetProperty("instance").GetString());
        Assert.Equal("call", entry.GetProperty("event").GetString());
        Assert.Equal("5511", entry.GetProperty("sender").GetString());
        var data = entry.GetProperty("data").GetString()!;
        Assert.StartsWith("""{"big":"xxx""", data);
        Assert.True(data.Length < 1100, $"the preview of a 5 kB payload is cut, not {data.Length} characters");
    }

    [Fact]
    public async Task The_summary_counts_this_nodes_connections_by_protocol_per_instance()
    {
        await using var hub = await HubServer.StartAsync();
        await using var signalR = hub.SignalR(HubServer.GlobalKey);
        await signalR.StartAsync();
        await signalR.InvokeAsync("Subscribe", "summed");
        await hub.PublishAsync(new { @event = "CALL", instance = "summed", data = new { } });

        var summary = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/dashboard/summary", HubServer.GlobalKey), 200);

        Assert.Equal("single node", summary.GetProperty("node").GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("redis").ValueKind);
        Assert.Equal(1, summary.GetProperty("eventsAccepted").GetInt64());
        Assert.Equal(1, summary.GetProperty("node").GetProperty("connections").GetProperty("signalr").GetInt32());
        var instance = summary.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal("summed", instance.GetProperty("name").GetString());
        Assert.Equal(1, instance.GetProperty("connections").GetInt32());
        Assert.Equal(1, instance.GetProperty("thisNode").GetProperty("signalr").GetInt32());
        Assert.Equal(0, instance.GetProperty("thisNode").GetProperty("socketio").GetInt32());

        await signalR.InvokeAsync("Unsubscribe", "summed");
        summary = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/api/dashboard/summary", HubServer.GlobalKey), 200);
        Assert.Empty(summary.GetProperty("instances").EnumerateArray());
    }

    [Fact]
    public async Task With_Dashboard_Enabled_false_there_is_no_dashboard()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Enabled"] = "false" });

        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/dashboard", null), 404);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/api/dashboard/summary", HubServer.GlobalKey), 404);
    }
}
