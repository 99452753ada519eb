using System.Net.WebSockets;
using System.Text;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests.Attacks;

/// <summary>A WebSocket that speaks whatever the attack needs, frame by frame, and can simply stop reading.</summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket;

    private RawWebSocket(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawWebSocket> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(uri, CancellationToken.None).WithTimeout(Wait, $"a WebSocket to {uri}");
        return new RawWebSocket(socket);
    }

    /// <summary>An Engine.IO v4 WebSocket session, its open packet read.</summary>
    public static async Task<RawWebSocket> OpenEngineIoAsync(HubProcess hub, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = await ConnectAsync(WebSocketUri(hub, "/socket.io/?EIO=4&transport=websocket"), configure);
        var open = await socket.ReceiveTextAsync();
        Assert.StartsWith("0{", open);
        return socket;
    }

    public static Uri WebSocketUri(HubProcess hub, string pathAndQuery) =>
        new UriBuilder(hub.Url(pathAndQuery)) { Scheme = "ws" }.Uri;

    public bool IsOpen => _socket.State == WebSocketState.Open;

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a binary message, or nothing when the server has closed the connection first.</summary>
    public async Task SendBinaryUnlessClosedAsync(byte[] bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        catch (WebSocketException) when (_socket.State != WebSocketState.Open || _socket.CloseStatus is not null)
        {
        }
    }

    /// <summary>The next text message, answering Engine.IO pings on the way.</summary>
    public async Task<string> ReceiveTextAsync(string what = "a message")
    {
        while (true)
        {
            var message = await ReceiveAsync().WithTimeout(Wait, what) ?? throw new InvalidOperationException($"the server closed the WebSocket while the test waited for {what}");
            if (message == "2")
            {
                await SendTextAsync("3");
                continue;
            }

            return message;
        }
    }

    /// <summary>Reads until the server closes the socket (or aborts the connection), within <paramref name="timeout"/>.</summary>
    public async Task WaitForServerCloseAsync(TimeSpan timeout, string what)
    {
        async Task<bool> DrainAsync()
        {
            try
            {
                while (await ReceiveAsync() is not null)
                {
                }
            }
            catch (WebSocketException)
            {
            }

            return true;
        }

        await DrainAsync().WithTimeout(timeout, what);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>The next whole message as text (binary messages too), or null once the server closed.</summary>
    private async Task<string?> ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }
}
