using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests.Attacks;

/// <summary>
/// The attacks of the hostile-input review, each made with a real client against a running node process while a
/// bystander on other instances publishes and receives: each attack must be refused or contained, the bystander must see
/// every event within a second, and the node's resident memory must grow by less than 300 MiB at its peak.
/// </summary>
[Collection(nameof(AttackContainment))]
public sealed class AttackContainmentTests
{
    private const string GlobalKey = "attack-tests-global-key-5b2e";
    private const string AttackerInstance = "attacker";
    private const string AttackerToken = "attacker-instance-token-0042";
    private const double AllowedGrowthMiB = 300;
    private static readonly TimeSpan AllowedDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Placeholders_all_pointing_at_one_attachment_close_the_session_without_expanding_it()
    {
        await using var hub = await StartNodeAsync();
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        await using var socket = await RawWebSocket.OpenEngineIoAsync(hub);
        await socket.SendTextAsync($"40/{AttackerInstance},{{\"apikey\":\"{AttackerToken}\"}}");
        Assert.StartsWith($"40/{AttackerInstance},{{\"sid\"", await socket.ReceiveTextAsync("the CONNECT ack"));
        var placeholders = string.Join(',', Enumerable.Repeat("{\"_placeholder\":true,\"num\":0}", 200));
        await socket.SendTextAsync($"451-/{AttackerInstance},0[\"send_message\",{placeholders}]");
        // The node may refuse the packet from its header alone and close before the attachment is written.
        await socket.SendBinaryUnlessClosedAsync(new byte[900_000]);

        await socket.WaitForServerCloseAsync(TimeSpan.FromSeconds(10), "the node to close the session of a packet that references one attachment 200 times");
        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, "200 placeholders of one 900 kB attachment");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task A_flood_of_keyless_Engine_IO_handshakes_with_large_headers_is_refused_per_address()
    {
        await using var hub = await StartNodeAsync();
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = hub.BaseUri };
        var padding = new string('p', 30_000);
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var flooding = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (flooding.Elapsed < TimeSpan.FromSeconds(5))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/socket.io/?EIO=4&transport=polling");
                request.Headers.Add("X-Padding", padding);
                using var response = await http.SendAsync(request);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
            }
        })));

        var summary = string.Join(", ", statuses.Select(status => $"{(int)status.Key}: {status.Value}"));
        Assert.True(statuses.Keys.All(status => status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable), $"unexpected statuses: {summary}");
        Assert.True(statuses.ContainsKey(HttpStatusCode.TooManyRequests), $"no handshake was refused: {summary}");
        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, $"5 s of keyless handshakes with 30 kB headers ({summary})");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task Large_webhook_bodies_without_a_key_are_refused_without_being_held_in_memory()
    {
        await using var hub = await StartNodeAsync();
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        var body = new byte[32_000_000];
        Array.Fill(body, (byte)'1');
        body[0] = (byte)'[';
        for (var i = 2; i < body.Length - 1; i += 2)
        {
            body[i] = (byte)',';
        }

        body[^1] = (byte)']';
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await hub.Http.PostAsync("/webhook", content);
                statuses.Add(response.StatusCode);
            }));
        }

        var refused = new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable };
        Assert.True(statuses.All(refused.Contains), $"keyless 32 MB webhooks were answered {string.Join(", ", statuses.Select(status => (int)status))}");
        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, "16 keyless 32 MB webhook bodies, 8 at a time");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task A_SignalR_subscriber_that_stops_reading_is_cut_and_delays_no_other_instance()
    {
        await using var hub = await StartNodeAsync();
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        await using var slow = await RawWebSocket.ConnectAsync(RawWebSocket.WebSocketUri(hub, $"/hubs/events?apikey={AttackerToken}"));
        await slow.SendTextAsync("{\"protocol\":\"json\",\"version\":1}\u001e");
        Assert.Equal("{}\u001e", await slow.ReceiveTextAsync("the SignalR handshake response"));
        await slow.SendTextAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[\"{AttackerInstance}\"]}}\u001e");
        Assert.Contains("\"invocationId\":\"1\"", await slow.ReceiveTextAsync("the completion of Subscribe"));
        Assert.Equal(1, await ConnectionsOfAsync(hub, AttackerInstance));

        // From here on the subscriber reads nothing.
        await PublishLargeEventsAsync(hub, AttackerInstance, megabytes: 40);

        await Eventually.UntilAsync(async () => await ConnectionsOfAsync(hub, AttackerInstance) == 0, TimeSpan.FromSeconds(15), "the node to cut the SignalR subscriber that stopped reading");
        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, "40 MB of events for a SignalR subscriber that does not read");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task A_Socket_IO_client_that_stops_reading_is_cut_by_its_byte_budget_not_by_the_heartbeat()
    {
        await using var hub = await StartNodeAsync();
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        await using var slow = await RawWebSocket.OpenEngineIoAsync(hub);
        await slow.SendTextAsync($"40/{AttackerInstance},{{\"apikey\":\"{AttackerToken}\"}}");
        Assert.StartsWith($"40/{AttackerInstance},", await slow.ReceiveTextAsync("the CONNECT ack"));
        Assert.Equal(1, await ConnectionsOfAsync(hub, AttackerInstance));

        // From here on the client reads nothing; its heartbeat would cut it only after 45 s.
        await PublishLargeEventsAsync(hub, AttackerInstance, megabytes: 40);

        await Eventually.UntilAsync(async () => await ConnectionsOfAsync(hub, AttackerInstance) == 0, TimeSpan.FromSeconds(15), "the node to cut the Socket.IO client that stopped reading");
        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, "40 MB of events for a Socket.IO client that does not read");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task Guessing_keys_from_one_address_is_stopped_while_other_addresses_are_served()
    {
        await using var hub = await StartNodeAsync(("Http__KnownProxies", "127.0.0.1"));
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);
        await using var memory = new ResidentMemory(hub.ProcessId);

        await using var guesser = await RawWebSocket.OpenEngineIoAsync(hub, options => options.SetRequestHeader("X-Forwarded-For", "203.0.113.7"));
        var stoppedAfter = 0;
        for (var attempt = 1; attempt <= 200 && stoppedAfter == 0; attempt++)
        {
            await guesser.SendTextAsync($"40/{AttackerInstance},{{\"apikey\":\"guess-{attempt:D4}-0123456789abcdef\"}}");
            var answer = await guesser.ReceiveTextAsync($"the answer to guess {attempt}");
            Assert.StartsWith($"44/{AttackerInstance},", answer);
            if (answer.Contains("Too many attempts", StringComparison.Ordinal))
            {
                stoppedAfter = attempt;
            }
        }

        Assert.True(stoppedAfter > 0, "200 wrong keys from one address were each answered Unauthorized: nothing stops guessing");
        await guesser.SendTextAsync($"40/{AttackerInstance},{{\"apikey\":\"{AttackerToken}\"}}");
        Assert.Contains("Too many attempts", await guesser.ReceiveTextAsync("the answer to the right key from the blocked address"));

        using var blockedHttp = new HttpRequestMessage(HttpMethod.Get, "/api/instances");
        blockedHttp.Headers.Add("apikey", "another-wrong-key-0123456789");
        blockedHttp.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var blockedResponse = await hub.Http.SendAsync(blockedHttp);
        Assert.Equal(HttpStatusCode.TooManyRequests, blockedResponse.StatusCode);

        await using var neighbour = await RawWebSocket.OpenEngineIoAsync(hub, options => options.SetRequestHeader("X-Forwarded-For", "203.0.113.8"));
        await neighbour.SendTextAsync($"40/{AttackerInstance},{{\"apikey\":\"{AttackerToken}\"}}");
        Assert.StartsWith($"40/{AttackerInstance},{{\"sid\"", await neighbour.ReceiveTextAsync("the CONNECT ack of another address"));

        memory.AssertPeakGrowthBelow(AllowedGrowthMiB, "key guessing");
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    [Fact]
    public async Task A_web_page_on_another_site_cannot_use_the_allowed_hosts_keyless_access()
    {
        await using var hub = await StartNodeAsync(("WEBSOCKET_ALLOWED_HOSTS", "127.0.0.1"), ("CORS_ORIGIN", "http://app.example"));
        await using var bystander = await Bystander.StartAsync(hub, GlobalKey);

        await using var page = await RawWebSocket.OpenEngineIoAsync(hub, options => options.SetRequestHeader("Origin", "http://evil.test"));
        await page.SendTextAsync($"40/{AttackerInstance},");
        Assert.Equal($"44/{AttackerInstance},{{\"message\":\"Unauthorized\"}}", await page.ReceiveTextAsync("the answer to a keyless CONNECT from another site"));

        await using var allowedPage = await RawWebSocket.OpenEngineIoAsync(hub, options => options.SetRequestHeader("Origin", "http://app.example"));
        await allowedPage.SendTextAsync($"40/{AttackerInstance},");
        Assert.StartsWith($"40/{AttackerInstance},{{\"sid\"", await allowedPage.ReceiveTextAsync("the CONNECT ack of the allowed origin"));

        await using var script = await RawWebSocket.OpenEngineIoAsync(hub);
        await script.SendTextAsync($"40/{AttackerInstance},");
        Assert.StartsWith($"40/{AttackerInstance},{{\"sid\"", await script.ReceiveTextAsync("the CONNECT ack of a local client without Origin"));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => RawWebSocket.ConnectAsync(
            RawWebSocket.WebSocketUri(hub, "/hubs/events"), options => options.SetRequestHeader("Origin", "http://evil.test")));
        Assert.Contains("401", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        await bystander.AssertUnharmedAsync(AllowedDelay);
    }

    private static async Task<HubProcess> StartNodeAsync(params (string Name, string Value)[] environment)
    {
        var settings = new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = GlobalKey,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (name, value) in environment)
        {
            settings[name] = value;
        }

        var hub = await HubProcess.StartAsync(settings);
        using var register = new HttpRequestMessage(HttpMethod.Put, $"/api/instances/{AttackerInstance}") { Content = JsonContent.Create(new { token = AttackerToken }) };
        register.Headers.Add("apikey", GlobalKey);
        using var registered = await hub.Http.SendAsync(register);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return hub;
    }

    private static async Task<int> ConnectionsOfAsync(HubProcess hub, string instance)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/instances");
        request.Headers.Add("apikey", GlobalKey);
        using var response = await hub.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var instances = await response.Content.ReadFromJsonAsync<JsonElement>();
        return instances.EnumerateArray()
            .Where(entry => entry.GetProperty("name").GetString() == instance)
            .Select(entry => entry.GetProperty("connections").GetInt32())
            .FirstOrDefault();
    }

    /// <summary>Publishes about <paramref name="megabytes"/> MB of 100 kB events to <paramref name="instance"/>, ten per request.</summary>
    private static async Task PublishLargeEventsAsync(HubProcess hub, string instance, int megabytes)
    {
        var blob = new string('x', 100_000);
        for (var batch = 0; batch < megabytes; batch++)
        {
            var envelopes = Enumerable.Range(0, 10).Select(i => new { @event = "MESSAGES_UPSERT", instance, data = new { blob, i } });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
            {
                Content = new StringContent(JsonSerializer.Serialize(envelopes), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("apikey", GlobalKey);
            using var response = await hub.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }
}

/// <summary>The attacks load the machine: they run alone, so that a bystander's delay measures the attack, not other tests.</summary>
[CollectionDefinition(nameof(AttackContainment), DisableParallelization = true)]
public sealed class AttackContainment;
