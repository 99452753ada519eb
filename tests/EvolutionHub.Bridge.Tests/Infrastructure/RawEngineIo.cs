using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>
/// Speaks Engine.IO by hand over HTTP and WebSocket, for tests of what a real client never sends. Its HTTP requests come
/// from <paramref name="localAddress"/> when given (any 127.0.0.0/8 address reaches a server on 127.0.0.1).
/// </summary>
public sealed class RawEngineIo(string baseUrl, string path = "/socket.io/", IPAddress? localAddress = null) : IDisposable
{
    private readonly HttpClient _http = new(LocalHandler(localAddress)) { Timeout = TimeSpan.FromSeconds(10) };

    private static SocketsHttpHandler LocalHandler(IPAddress? localAddress) => localAddress is null ? new() : new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(localAddress, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public string Url(string query) => $"{baseUrl}{path}?{query}";

    public Task<HttpResponseMessage> GetAsync(string query) => _http.GetAsync(Url(query));

    public Task<HttpResponseMessage> PostAsync(string query, string body) => _http.PostAsync(Url(query), new StringContent(body, Encoding.UTF8, "text/plain"));

    public Task<HttpResponseMessage> PostAsync(string query, byte[] body) => _http.PostAsync(Url(query), new ByteArrayContent(body));

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string query) => _http.SendAsync(new HttpRequestMessage(method, Url(query)));

    /// <summary>Opens a polling session; returns its sid and the handshake.</summary>
    public async Task<(string Sid, JsonElement Handshake)> OpenPollingAsync(int eio = 4)
    {
        var response = await GetAsync($"EIO={eio}&transport=polling");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        string json;
        if (eio == 4)
        {
            json = body[1..];
        }
        else
        {
            // v3 payload: "<length>:0{...}", possibly followed by more packets.
            var colon = body.IndexOf(':', StringComparison.Ordinal);
            json = body.Substring(colon + 2, int.Parse(body[..colon], System.Globalization.CultureInfo.InvariantCulture) - 1);
        }

        var handshake = JsonDocument.Parse(json).RootElement.Clone();
        return (handshake.GetProperty("sid").GetString()!, handshake);
    }

    public async Task<ClientWebSocket> OpenWebSocketAsync(string query, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(Url(query).Replace("http", "ws", StringComparison.Ordinal)), timeout.Token);
        return socket;
    }

    /// <summary>
    /// A WebSocket session (Engine.IO v4) connected to namespace <paramref name="ns"/>; returns the socket and its Socket.IO id
    /// once the CONNECT ack arrived.
    /// </summary>
    public async Task<(ClientWebSocket Socket, string SocketId)> ConnectNamespaceAsync(string ns = "/")
    {
        var socket = await OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await ReceiveTextAsync(socket));
        var prefix = ns == "/" ? "" : ns + ",";
        await SendTextAsync(socket, "40" + prefix);
        var ack = await NextAsync(socket, m => m.StartsWith("40" + prefix + "{", StringComparison.Ordinal) || m.StartsWith("44" + prefix, StringComparison.Ordinal));
        Assert.NotNull(ack);
        Assert.StartsWith("40" + prefix + "{\"sid\"", ack);
        return (socket, JsonDocument.Parse(ack[(2 + prefix.Length)..]).RootElement.GetProperty("sid").GetString()!);
    }

    public static async Task SendTextAsync(WebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    public static async Task SendBinaryAsync(WebSocket socket, byte[] data)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(data, WebSocketMessageType.Binary, true, timeout.Token);
    }

    /// <summary>The next message that matches, skipping others; null when the server closed (or aborted) the socket first.</summary>
    public static async Task<string?> NextAsync(WebSocket socket, Func<string, bool> match, int timeoutMs = 5000)
    {
        try
        {
            string? message;
            do
            {
                message = await ReceiveTextAsync(socket, timeoutMs);
            }
            while (message is not null && !match(message));
            return message;
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    /// <summary>The next message (binary ones as <c>&lt;binary n&gt;</c>), or null when the server closed the socket.</summary>
    public static async Task<string?> ReceiveTextAsync(WebSocket socket, int timeoutMs = 5000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return result.MessageType == WebSocketMessageType.Binary ? $"<binary {length}>" : Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }

    /// <summary>Reads until the server closes the socket, skipping pings; fails if it stays open.</summary>
    public static async Task AssertClosedByServerAsync(WebSocket socket, int timeoutMs = 5000)
    {
        try
        {
            while (await ReceiveTextAsync(socket, timeoutMs) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            // An abortive close is a close too.
        }
    }

    public void Dispose() => _http.Dispose();
}
