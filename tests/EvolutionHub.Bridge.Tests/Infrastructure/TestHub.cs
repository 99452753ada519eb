using System.Collections.Concurrent;
using System.Threading.Channels;
using EvolutionHub.Bridge;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>What the test hub saw, for assertions.</summary>
public sealed class TestHubRecorder
{
    public ConcurrentQueue<(string Event, object?[] Arguments)> FallbackEvents { get; } = new();

    public ConcurrentQueue<string> Disconnected { get; } = new();

    /// <summary>Every Socket.IO connection the hub saw, with what connection-state recovery told it.</summary>
    public Channel<(string ConnectionId, bool Recovered, string? RecoveredOffset)> SocketConnections { get; } = Channel.CreateUnbounded<(string, bool, string?)>();

    public TaskCompletionSource<string> FirstDisconnect { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The keys <see cref="TestHub.Hold"/> was invoked with, in order.</summary>
    public ConcurrentQueue<string> Held { get; } = new();

    /// <summary>Completing it lets every <see cref="TestHub.Hold"/> call return.</summary>
    public TaskCompletionSource ReleaseHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// The hub the bridge tests connect to. Each connection joins the group named after its namespace (<c>ns:/x</c>);
/// namespace <c>/refused-by-hub</c> fails in OnConnectedAsync.
/// </summary>
public sealed class TestHub(TestHubRecorder recorder) : Hub
{
    public override async Task OnConnectedAsync()
    {
        var socket = Context.Features.Get<ISocketIoFeature>();
        if (socket?.Namespace == "/refused-by-hub")
        {
            throw new HubException("Refused by the hub");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, "ns:" + (socket?.Namespace ?? "signalr"));
        if (socket is not null)
        {
            recorder.SocketConnections.Writer.TryWrite((Context.ConnectionId, socket.Recovered, socket.RecoveredOffset));
            await Clients.Caller.SendAsync("welcome", new { socket.Namespace, socket.SocketId, Auth = socket.Auth, Query = socket.Query["tag"].ToString() });
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        recorder.Disconnected.Enqueue(Context.ConnectionId);
        recorder.FirstDisconnect.TrySetResult(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public string Echo(string text) => text;

    public int Add(int a, int b) => a + b;

    public byte[] Reverse(byte[] data) => [.. data.Reverse()];

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Shout(string group, string text) => Clients.Group(group).SendAsync("shout", text);

    public string WhoAmI() => Context.ConnectionId;

    public string? UserName() => Context.User?.Identity?.Name;

    public string? Item(string key) => Context.Items.TryGetValue(key, out var value) ? value as string : null;

    public void Fail() => throw new HubException("Failed on purpose");

    public void Leave() => Context.Abort();

    /// <summary>Acknowledges with <c>"answered"</c>, or leaves the event unacknowledged as a Socket.IO handler that never calls ack.</summary>
    public object MaybeAnswer(bool answer) => answer ? "answered" : SocketIoAck.None;

    /// <summary>Answers only once the test completes <see cref="TestHubRecorder.ReleaseHeld"/>.</summary>
    public async Task<string> Hold(string key)
    {
        recorder.Held.Enqueue(key);
        await recorder.ReleaseHeld.Task;
        return key;
    }

    /// <summary>A fallback as the hub has it: arguments as JSON, attachments as base64 strings.</summary>
    public object OnAnyJson(string eventName, System.Text.Json.JsonElement[] arguments) => new { received = eventName, count = arguments.Length };

    public object? OnAnyEvent(string eventName, object?[] arguments)
    {
        recorder.FallbackEvents.Enqueue((eventName, arguments));
        return eventName switch
        {
            "echo-all" => new SocketIoArguments(arguments),
            "unanswered" => SocketIoAck.None,
            _ => new { received = eventName, count = arguments.Length },
        };
    }
}
