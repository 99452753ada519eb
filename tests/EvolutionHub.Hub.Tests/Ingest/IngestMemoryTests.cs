using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>Tests that measure the server's memory or timing run alone: other tests would move the numbers.</summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public sealed class Alone;

/// <summary>
/// What a request costs before its sender is known: a key in the header is checked before the body is read, a webhook's
/// body key is found without building a document, and bodies not yet authenticated share one bounded budget.
/// </summary>
[Collection(nameof(Alone))]
public sealed class IngestMemoryTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task Twenty_parallel_32_MiB_webhooks_without_a_key_get_401_or_503_the_heap_stays_bounded_and_a_bystander_keeps_receiving()
    {
        await using var hub = await HubServer.StartAsync();
        await using var bystander = await Bystander.StartAsync(hub, "bystander");

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(10);
            }
        });

        using var attackers = new HttpClient { BaseAddress = hub.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook") { Content = new LargeBodyContent(32 * MiB) };
            try
            {
                using var response = await attackers.SendAsync(request);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                return (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                // Refused before its body was read, the request may see its connection closed while it still sends.
                return 0;
            }
        }));
        await sampling.CancelAsync();
        await sampler;
        var report = await bystander.StopAsync();

        Assert.True(statuses.All(status => status is 401 or 503 or 0), $"statuses: {string.Join(", ", statuses)}");
        Assert.Contains(401, statuses);
        var growth = (peak - baseline) / (double)MiB;
        Assert.True(growth < 200, $"the managed heap grew by {growth:0} MiB");
        report.AssertOnTime();
    }

    [Fact]
    public async Task Bodies_not_yet_authenticated_share_a_bounded_budget_and_keyed_requests_do_not_wait_for_it()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Http:MaxUnauthenticatedBodyBytes"] = "100000" });
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new LargeBodyContent(90_000) { Hold = release, HeldAfterBytes = 1000 };
        // The body goes out only once the hub asks for it (100 Continue), i.e. once it reserved the budget: a request of the
        // loop below must not reach the budget first.
        using var holder = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = hub.BaseUri };
        holder.DefaultRequestHeaders.ExpectContinue = true;
        var holding = holder.PostAsync("/webhook", held);
        await held.Holding.Task.WithTimeout(TimeSpan.FromSeconds(10), "the held body to start");

        // The hub reserved 90 000 bytes for the held body: 20 000 more from anyone without a header key do not fit.
        var padding = new string(' ', 20_000);
        var bodyKeyed = JsonSerializer.Serialize(new { @event = "CALL", instance = "shop", apikey = "shop-token-0123456789", padding });
        await Eventually.UntilAsync(async () =>
        {
            using var busy = await hub.SendAsync(HttpMethod.Post, "/webhook", null, bodyKeyed);
            if (busy.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return false;
            }

            await Expect.ProblemAsync(busy, 503);
            Assert.Equal("1", busy.Headers.GetValues("Retry-After").Single());
            return true;
        }, TimeSpan.FromSeconds(15), "the budget to be taken by the held body");

        // A key in the header needs no budget.
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/webhook", HubServer.GlobalKey, bodyKeyed), 202);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, bodyKeyed), 202);

        release.SetResult();
        using (var done = await holding)
        {
            await Expect.ProblemAsync(done, 401);
        }

        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/webhook", null, bodyKeyed), 202);
    }

    [Theory]
    [InlineData("/webhook", null)]
    [InlineData("/webhook", HubServer.GlobalKey)]
    [InlineData("/api/events", HubServer.GlobalKey)]
    public async Task A_chunked_body_is_counted_while_it_is_read_and_refused_with_413_past_the_limit(string path, string? key)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = "100000" });
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new LargeBodyContent(150_000, chunked: true) };
        if (key is not null)
        {
            request.Headers.Add("apikey", key);
        }

        using var response = await hub.Http.SendAsync(request);
        await Expect.ProblemAsync(response, 413);
    }

    [Theory]
    [InlineData("POST", "/api/events")]
    [InlineData("POST", "/websocket/set/shop")]
    [InlineData("PUT", "/api/instances/shop")]
    [InlineData("POST", "/webhook")]
    public async Task A_key_in_the_header_is_checked_before_the_body_is_read(string method, string path)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        var body = new LargeBodyContent(32 * MiB);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body };
        request.Headers.Add("apikey", path == "/webhook" ? "shop-token-0123456789" : "wrong-key");
        request.Headers.ExpectContinue = true;

        using var response = await hub.Http.SendAsync(request);

        // The webhook's header holds a token, which is no scope there: the hub must read the body for its key.
        if (path == "/webhook")
        {
            await Expect.ProblemAsync(response, 403);
            return;
        }

        await Expect.ProblemAsync(response, 401);
        Assert.True(body.Sent == 0, $"the client sent {body.Sent} bytes of the body");
    }
}

/// <summary>A SignalR client on its own instance, sent an event every 50 ms, that measures how late each arrives.</summary>
public sealed class Bystander : IAsyncDisposable
{
    private readonly HubServer _hub;
    private readonly HubConnection _connection;
    private readonly string _instance;
    private readonly ConcurrentDictionary<long, long> _sentAt = new();
    private readonly ConcurrentQueue<TimeSpan> _delays = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _publishing = Task.CompletedTask;

    private Bystander(HubServer hub, HubConnection connection, string instance)
    {
        _hub = hub;
        _connection = connection;
        _instance = instance;
        connection.On<JsonElement>("call", envelope =>
        {
            var n = envelope.GetProperty("data").GetProperty("n").GetInt64();
            if (_sentAt.TryRemove(n, out var sentAt))
            {
                _delays.Enqueue(Stopwatch.GetElapsedTime(sentAt));
            }
        });
    }

    public static async Task<Bystander> StartAsync(HubServer hub, string instance)
    {
        var connection = hub.SignalR(HubServer.GlobalKey);
        var bystander = new Bystander(hub, connection, instance);
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", instance);
        bystander._publishing = bystander.PublishAsync();
        return bystander;
    }

    /// <summary>How many of its events arrived so far.</summary>
    public int Received => _delays.Count;

    public async Task<BystanderReport> StopAsync()
    {
        await _stop.CancelAsync();
        await _publishing;

        // What was sent last has a second to arrive.
        await Eventually.UntilAsync(() => Task.FromResult(_sentAt.IsEmpty || _sentAt.Values.All(sentAt => Stopwatch.GetElapsedTime(sentAt) > TimeSpan.FromSeconds(1))),
            TimeSpan.FromSeconds(5), "the bystander's last events");
        return new BystanderReport([.. _delays], [.. _sentAt.Keys]);
    }

    private async Task PublishAsync()
    {
        using var http = new HttpClient { BaseAddress = _hub.BaseUri };
        for (long n = 0; !_stop.IsCancellationRequested; n++)
        {
            _sentAt[n] = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { @event = "CALL", instance = _instance, data = new { n } }), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("apikey", HubServer.GlobalKey);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _publishing.ContinueWith(_ => { }, TaskScheduler.Default);
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}

public sealed record BystanderReport(IReadOnlyList<TimeSpan> Delays, IReadOnlyList<long> Missing)
{
    public void AssertOnTime()
    {
        Assert.True(Delays.Count >= 5, $"only {Delays.Count} bystander events arrived");
        Assert.True(Missing.Count == 0, $"{Missing.Count} bystander events never arrived (of {Delays.Count + Missing.Count})");
        var latest = Delays.Max();
        Assert.True(latest < TimeSpan.FromSeconds(1), $"a bystander event took {latest.TotalMilliseconds:0} ms (of {Delays.Count})");
    }
}
