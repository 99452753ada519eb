using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Bench.Load;

/// <summary>Opens many listeners at once, a bounded number of handshakes in flight, and closes them all.</summary>
public sealed class ClientPool : IAsyncDisposable
{
    private readonly List<IDisposable> _socketIoClients = [];
    private readonly List<HubConnection> _signalRClients = [];

    public List<Listener> Listeners { get; } = [];

    /// <summary>Socket.IO clients of namespace <c>/{instance}</c>, spread round-robin over <paramref name="servers"/>.</summary>
    public async Task ConnectSocketIoAsync(
        IReadOnlyList<Uri> servers, string instance, string apiKey, int count, int concurrency, DeliveryTally tally, CancellationToken cancellationToken)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new Listener(tally)).ToArray();
        var clients = new SocketIoClient[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (index, token) => clients[index] = await SocketIoClient.ConnectAsync(servers[index % servers.Count], instance, apiKey, listeners[index], token));
        _socketIoClients.AddRange(clients);
        Listeners.AddRange(listeners);
    }

    /// <summary>SignalR clients over WebSockets (JSON protocol) subscribed to <paramref name="instance"/>.</summary>
    public async Task ConnectSignalRAsync(
        Uri server, string instance, string apiKey, int count, int concurrency, DeliveryTally tally, CancellationToken cancellationToken)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new Listener(tally)).ToArray();
        var connections = new HubConnection[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var listener = listeners[index];
                var connection = new HubConnectionBuilder()
                    .WithUrl(new Uri(server, "/hubs/events"), HttpTransportType.WebSockets, options =>
                    {
                        options.SkipNegotiation = true;
                        options.AccessTokenProvider = () => Task.FromResult<string?>(apiKey);
                    })
                    .Build();
                connection.On<JsonElement>("messages.upsert", envelope =>
                {
                    var data = envelope.GetProperty("data");
                    listener.OnEvent(data.GetProperty("bseq").GetInt64(), data.GetProperty("bts").GetInt64());
                });
                connections[index] = connection;
                await connection.StartAsync(token);
                await connection.InvokeAsync("Subscribe", instance, token);
            });
        _signalRClients.AddRange(connections);
        Listeners.AddRange(listeners);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _socketIoClients)
        {
            client.Dispose();
        }

        await Task.WhenAll(_signalRClients.Select(connection => connection.DisposeAsync().AsTask()));
    }
}
