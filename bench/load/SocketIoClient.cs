using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// A bare Socket.IO v5 client over one WebSocket speaking Engine.IO v4 by hand: it opens, joins one namespace with
/// <c>auth.apikey</c>, answers pings and reads the sequence and send time of each event. No polling, no acks, no
/// reconnection, one reusable buffer: cheap enough for ten thousand of them beside the server under test.
/// </summary>
public sealed class SocketIoClient : IDisposable
{
    private static readonly byte[] Pong = "3"u8.ToArray();
    private static readonly byte[] SequenceField = "\"bseq\":"u8.ToArray();
    private static readonly byte[] SentAtField = "\"bts\":"u8.ToArray();

    // One handler for every client's upgrade request: without it each ConnectAsync builds a handler of its own,
    // which made the generator, not the server, the bottleneck of the connection ramp.
    private static readonly HttpMessageInvoker Upgrader = new(new SocketsHttpHandler { UseProxy = false });

    private readonly ClientWebSocket _socket = new();
    private readonly Listener _listener;
    private readonly byte[] _eventPrefix;
    private byte[] _buffer = new byte[2048];

    private SocketIoClient(string instance, Listener listener)
    {
        _listener = listener;
        _eventPrefix = Encoding.UTF8.GetBytes($"42/{instance},");
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    /// <summary>Returns once the server acknowledged the namespace CONNECT; events flow to <paramref name="listener"/> from then on.</summary>
    public static async Task<SocketIoClient> ConnectAsync(Uri server, string instance, string apiKey, Listener listener, CancellationToken cancellationToken)
    {
        var client = new SocketIoClient(instance, listener);
        try
        {
            await client.JoinAsync(server, instance, apiKey, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _ = client.ReceiveEventsAsync();
        return client;
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }

    private async Task JoinAsync(Uri server, string instance, string apiKey, CancellationToken cancellationToken)
    {
        var endpoint = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" };
        await _socket.ConnectAsync(endpoint.Uri, Upgrader, cancellationToken);
        var open = await ReceiveFrameAsync(cancellationToken);
        if (open.Length == 0 || open.Span[0] != (byte)'0')
        {
            throw new InvalidOperationException($"expected the Engine.IO open packet, got '{Encoding.UTF8.GetString(open.Span)}'");
        }

        var connect = Encoding.UTF8.GetBytes($"40/{instance},{JsonSerializer.Serialize(new Dictionary<string, string> { ["apikey"] = apiKey })}");
        await _socket.SendAsync(connect, WebSocketMessageType.Text, true, cancellationToken);

        var connected = Encoding.UTF8.GetBytes($"40/{instance},");
        var refused = Encoding.UTF8.GetBytes($"44/{instance},");
        while (true)
        {
            var frame = await ReceiveFrameAsync(cancellationToken);
            if (frame.Length == 0)
            {
                throw new InvalidOperationException("closed before the namespace CONNECT was answered");
            }

            if (frame.Span.StartsWith(connected))
            {
                return;
            }

            if (frame.Span.StartsWith(refused))
            {
                throw new InvalidOperationException($"CONNECT refused: {Encoding.UTF8.GetString(frame.Span)}");
            }

            if (frame.Span[0] == (byte)'2')
            {
                await _socket.SendAsync(Pong, WebSocketMessageType.Text, true, cancellationToken);
            }
        }
    }

    private async Task ReceiveEventsAsync()
    {
        try
        {
            while (true)
            {
                var frame = await ReceiveFrameAsync(CancellationToken.None);
                if (frame.Length == 0)
                {
                    break;
                }

                if (frame.Span[0] == (byte)'2')
                {
                    await _socket.SendAsync(Pong, WebSocketMessageType.Text, true, CancellationToken.None);
                }
                else if (frame.Span.StartsWith(_eventPrefix))
                {
                    ReadEvent(frame.Span);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Disconnected = true;
    }

    private void ReadEvent(ReadOnlySpan<byte> frame)
    {
        if (TryReadNumber(frame, SequenceField, out var sequence) && TryReadNumber(frame, SentAtField, out var sentAt))
        {
            _listener.OnEvent(sequence, sentAt);
        }
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var at = frame.IndexOf(field);
        return at >= 0 && Utf8Parser.TryParse(frame[(at + field.Length)..], out value, out _);
    }

    /// <summary>One whole WebSocket message in the shared buffer (valid until the next call); empty when the socket closed.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, length);
            }
        }
    }
}
