using System.Collections;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Testing;

/// <summary>
/// Records the events a .NET SignalR connection receives, whatever its protocol, as (target, envelope JSON), and whether
/// the connection closed. Either on a connection the test built, or on one of its own subscribed to an instance
/// (<see cref="SubscribeAsync"/>), which it disposes.
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    private readonly Channel<(string Target, JsonElement Envelope)> _received = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _ownsConnection;

    public EventRecorder(HubConnection connection, params string[] targets)
        : this(connection, ownsConnection: false, targets)
    {
    }

    private EventRecorder(HubConnection connection, bool ownsConnection, string[] targets)
    {
        Connection = connection;
        _ownsConnection = ownsConnection;
        foreach (var target in targets)
        {
            connection.On<object?>(target, envelope => _received.Writer.TryWrite((target, ToElement(envelope))));
        }

        connection.Closed += exception =>
        {
            _closed.TrySetResult(exception);
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    /// <summary>Completes with the connection's error (null for a clean close) once it has closed.</summary>
    public Task<Exception?> Closed => _closed.Task;

    /// <summary>
    /// A JSON-protocol WebSocket connection to <c>/hubs/events</c> of the hub at <paramref name="hub"/> with
    /// <paramref name="key"/>, subscribed to <paramref name="instance"/>, recording <paramref name="targets"/>.
    /// </summary>
    public static async Task<EventRecorder> SubscribeAsync(Uri hub, string key, string instance, params string[] targets)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(hub, "/hubs/events"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(key);
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build();
        var recorder = new EventRecorder(connection, ownsConnection: true, targets);
        try
        {
            await connection.StartAsync().WithTimeout(TimeSpan.FromSeconds(10), $"SignalR to connect to {hub}");
            await connection.InvokeAsync("Subscribe", instance).WithTimeout(TimeSpan.FromSeconds(10), $"Subscribe({instance}) on {hub}");
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next event recorded, within <paramref name="timeout"/> (15 s unless given).</summary>
    public async Task<(string Target, JsonElement Envelope)> NextAsync(string what = "the next event", TimeSpan? timeout = null) =>
        await _received.Reader.ReadAsync().AsTask().WithTimeout(timeout ?? DefaultWait, what);

    /// <summary>The envelope of the next event, which must be <paramref name="expectedTarget"/>.</summary>
    public async Task<JsonElement> NextEnvelopeAsync(string expectedTarget)
    {
        var (target, envelope) = await NextAsync($"an event '{expectedTarget}'");
        return target == expectedTarget
            ? envelope
            : throw new InvalidOperationException($"expected an event '{expectedTarget}', received '{target}': {envelope}");
    }

    public Task<object?> InvokeAsync(string method, params object?[] arguments) => Connection.InvokeCoreAsync(method, typeof(object), arguments);

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await Connection.DisposeAsync();
        }
    }

    /// <summary>An argument as JSON: a JsonElement from the JSON protocol, maps and arrays of plain values from MessagePack.</summary>
    private static JsonElement ToElement(object? argument) =>
        argument is JsonElement element ? element.Clone() : JsonSerializer.SerializeToElement(Plain(argument));

    private static object? Plain(object? value) => value switch
    {
        null or string or byte[] => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(key => Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? "", key => Plain(map[key]), StringComparer.Ordinal),
        IEnumerable items => items.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };
}
