using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>Speaks Engine.IO by hand over HTTP and WebSocket, for tests of what a real client never sends.</summary>
public sealed class RawEngineIo(string baseUrl, string path = "/socket.io/") : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

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

    public async Task<ClientWebSocket> OpenWebSocketAsync(string query)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(Url(query).Replace("http", "ws", StringComparison.Ordinal)), timeout.Token);
        return socket;
    }

    public static async Task SendTextAsync(WebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message, or null when the server closed the socket.</summary>
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
                return Encoding.UTF8.GetString(buffer, 0, length);
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
