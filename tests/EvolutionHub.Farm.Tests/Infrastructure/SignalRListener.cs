using System.Text.Json;
using System.Threading.Channels;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>A .NET SignalR client on one node, subscribed to an instance, recording the events it receives.</summary>
public sealed class SignalRListener : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Channel<(string Name, JsonElement Envelope)> _events = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SignalRListener(HubConnection connection) => _connection = connection;

    public Task<Exception?> Closed => _closed.Task;

    public static async Task<SignalRListener> StartAsync(HubNode node, string key, string instance, params string[] events)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseUri, "/hubs/events"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(key);
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build();
        var listener = new SignalRListener(connection);
        foreach (var name in events)
        {
            connection.On<JsonElement>(name, envelope => listener._events.Writer.TryWrite((name, envelope)));
        }

        connection.Closed += exception =>
        {
            listener._closed.TrySetResult(exception);
            return Task.CompletedTask;
        };
        await connection.StartAsync().WithTimeout(TimeSpan.FromSeconds(10), $"SignalR to connect to node {node.Name}");
        await connection.InvokeAsync("Subscribe", instance).WithTimeout(TimeSpan.FromSeconds(10), $"Subscribe({instance}) on node {node.Name}");
        return listener;
    }

    public async Task<(string Name, JsonElement Envelope)> NextAsync(string what, TimeSpan timeout) =>
        await _events.Reader.ReadAsync().AsTask().WithTimeout(timeout, what);

    public Task<object?> InvokeAsync(string method, params object?[] arguments) => _connection.InvokeCoreAsync(method, typeof(object), arguments);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
