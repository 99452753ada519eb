using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests.Attacks;

/// <summary>
/// An innocent client of the node under attack: a .NET SignalR connection subscribed to <see cref="InstanceCount"/>
/// instances (so that at least one of them shares whatever per-instance lane or shard an attacked instance uses), and a
/// publisher that posts one event to each of them every <see cref="Period"/>, stamped with the time it was posted. The
/// bystander records how late each event arrived and which never did.
/// </summary>
public sealed class Bystander : IAsyncDisposable
{
    public const int InstanceCount = 64;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly HubProcess _hub;
    private readonly HubConnection _connection;
    private readonly ConcurrentDictionary<string, long> _pending = new();
    private readonly ConcurrentQueue<TimeSpan> _delays = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _publishing = Task.CompletedTask;
    private long _sequence;

    private Bystander(HubProcess hub, HubConnection connection)
    {
        _hub = hub;
        _connection = connection;
    }

    public static string Instance(int index) => $"bystander-{index}";

    /// <summary>Connects, subscribes to every bystander instance and checks that an event goes through.</summary>
    public static async Task<Bystander> StartAsync(HubProcess hub, string globalKey)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hub.Url("/hubs/events"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(globalKey))
            .Build();
        var bystander = new Bystander(hub, connection);
        connection.On<JsonElement>("messages.upsert", bystander.Received);
        await connection.StartAsync();
        for (var i = 0; i < InstanceCount; i++)
        {
            await connection.InvokeAsync("Subscribe", Instance(i));
        }

        await bystander.PublishRoundAsync(globalKey, CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(bystander._pending.IsEmpty), TimeSpan.FromSeconds(15), "the bystander's first round of events");
        bystander._delays.Clear();
        bystander._publishing = bystander.PublishAsync(globalKey, bystander._stop.Token);
        return bystander;
    }

    /// <summary>Stops publishing, waits for what was published to arrive, and checks every event came within <paramref name="allowed"/>.</summary>
    public async Task AssertUnharmedAsync(TimeSpan allowed)
    {
        await _stop.CancelAsync();
        await _publishing;
        await Eventually.UntilAsync(() => Task.FromResult(_pending.IsEmpty), TimeSpan.FromSeconds(15), $"the bystander's last events ({_pending.Count} missing)");
        var delays = _delays.ToArray();
        Assert.True(delays.Length >= InstanceCount, $"the bystander received only {delays.Length} events during the attack");
        var worst = delays.Max();
        Assert.True(worst <= allowed, $"a bystander event arrived {worst.TotalMilliseconds:F0} ms after it was published (allowed {allowed.TotalMilliseconds:F0} ms)");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _publishing;
        }
        catch (HttpRequestException)
        {
            // The node under test may already be gone; the assertions have run.
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private void Received(JsonElement envelope)
    {
        var id = envelope.GetProperty("data").GetProperty("id").GetString()!;
        if (_pending.TryRemove(id, out var publishedAt))
        {
            _delays.Enqueue(Stopwatch.GetElapsedTime(publishedAt));
        }
    }

    private async Task PublishAsync(string globalKey, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Period);
        while (!stop.IsCancellationRequested)
        {
            await PublishRoundAsync(globalKey, stop);
            try
            {
                await timer.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PublishRoundAsync(string globalKey, CancellationToken stop)
    {
        var envelopes = new List<object>(InstanceCount);
        var publishedAt = Stopwatch.GetTimestamp();
        for (var i = 0; i < InstanceCount; i++)
        {
            var id = Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _pending[id] = publishedAt;
            envelopes.Add(new { @event = "MESSAGES_UPSERT", instance = Instance(i), data = new { id } });
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = JsonContent.Create(envelopes) };
        request.Headers.Add("apikey", globalKey);
        using var response = await _hub.Http.SendAsync(request, CancellationToken.None);
        Assert.True(response.IsSuccessStatusCode, $"the bystander's publisher was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop)}");
    }
}
