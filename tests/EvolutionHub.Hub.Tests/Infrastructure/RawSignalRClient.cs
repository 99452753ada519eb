using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace EvolutionHub.Hub.Tests;

/// <summary>The SignalR JSON protocol over a raw WebSocket with a small receive buffer: a client that can stop reading.</summary>
public sealed class RawSignalRClient : IDisposable
{
    private readonly ClientWebSocket _socket;

    private RawSignalRClient(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawSignalRClient> SubscribeAsync(HubServer hub, string instance)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("apikey", HubServer.GlobalKey);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        var uri = new UriBuilder(hub.Url("/hubs/events")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, new HttpMessageInvoker(handler), CancellationToken.None);
        var client = new RawSignalRClient(socket);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        Assert.Equal("{}", await client.ReceiveAsync());
        await client.SendAsync($$"""{"type":1,"invocationId":"1","target":"Subscribe","arguments":["{{instance}}"]}""");
        Assert.Contains("\"invocationId\":\"1\"", await client.ReceiveAsync(), StringComparison.Ordinal);
        return client;
    }

    /// <summary>Reads whatever is left until the server ends the connection; false when it is still open after <paramref name="within"/>.</summary>
    public async Task<bool> ReadsToTheEndAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task<string> ReceiveAsync()
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains('\u001e'))
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        // Keep-alive pings may come first: the message wanted is the last one.
        return text.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Last();
    }
}
