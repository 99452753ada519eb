using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// A bare Socket.IO v5 client over one WebSocket speaking Engine.IO v4 by hand: it opens, joins one namespace with
/// <c>auth.apikey</c>, answers pings and reads the sequence and send time of each event. No polling, no acks, no
/// reconnection, one reusable buffer: cheap enough for ten thousand of them beside the server under test. For
/// connection-state recovery it keeps the <c>sid</c> and <c>pid</c> of the CONNECT ack and the offset of the last event
/// (its last argument), and can join with <c>auth: {apikey, pid, offset}</c>.
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
    private readonly byte[] _offset = new byte[64];
    private int _offsetLength;

    private SocketIoClient(string instance, Listener listener)
    {
        _listener = listener;
        _eventPrefix = Encoding.UTF8.GetBytes($"42/{instance},");
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    /// <summary>The socket id of the CONNECT ack (null before Socket.IO v5 acks).</summary>
    public string? SocketId { get; private set; }

    /// <summary>The private id of the CONNECT ack, null when the server offers no recovery.</summary>
    public string? Pid { get; private set; }

    /// <summary>The offset of the last event received (its last argument), null before any.</summary>
    public string? LastOffset => _offsetLength == 0 ? null : Encoding.UTF8.GetString(_offset, 0, _offsetLength);

    /// <summary>Returns once the server acknowledged the namespace CONNECT; events flow to <paramref name="listener"/> from then on.</summary>
    public static Task<SocketIoClient> ConnectAsync(Uri server, string instance, string apiKey, Listener listener, CancellationToken cancellationToken) =>
        ConnectAsync(server, instance, apiKey, recovery: null, listener, cancellationToken);

    /// <summary>
    /// <see cref="ConnectAsync(Uri, string, string, Listener, CancellationToken)"/> asking to recover the socket of
    /// <paramref name="recovery"/>'s private id, from its offset; the server recovered it when <see cref="SocketId"/> is the old one.
    /// </summary>
    public static async Task<SocketIoClient> ConnectAsync(
        Uri server, string instance, string apiKey, (string Pid, string Offset)? recovery, Listener listener, CancellationToken cancellationToken)
    {
        var client = new SocketIoClient(instance, listener);
        try
        {
            await client.JoinAsync(server, instance, apiKey, recovery, cancellationToken);
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

    private async Task JoinAsync(Uri server, string instance, string apiKey, (string Pid, string Offset)? recovery, CancellationToken cancellationToken)
    {
        var endpoint = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" };
        await _socket.ConnectAsync(endpoint.Uri, Upgrader, cancellationToken);
        var open = await ReceiveFrameAsync(cancellationToken);
        if (open.Length == 0 || open.Span[0] != (byte)'0')
        {
            throw new InvalidOperationException($"expected the Engine.IO open packet, got '{Encoding.UTF8.GetString(open.Span)}'");
        }

        var auth = new Dictionary<string, string> { ["apikey"] = apiKey };
        if (recovery is var (pid, offset))
        {
            auth["pid"] = pid;
            auth["offset"] = offset;
        }

        var connect = Encoding.UTF8.GetBytes($"40/{instance},{JsonSerializer.Serialize(auth)}");
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
                ReadConnectAck(frame.Span[connected.Length..]);
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

    private void ReadConnectAck(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return;
        }

        using var ack = JsonDocument.Parse(body.ToArray());
        if (ack.RootElement.ValueKind == JsonValueKind.Object)
        {
            SocketId = ack.RootElement.TryGetProperty("sid", out var sid) ? sid.GetString() : null;
            Pid = ack.RootElement.TryGetProperty("pid", out var pid) ? pid.GetString() : null;
        }
    }

    private void ReadEvent(ReadOnlySpan<byte> frame)
    {
        if (TryReadNumber(frame, SequenceField, out var sequence) && TryReadNumber(frame, SentAtField, out var sentAt))
        {
            ReadOffset(frame);
            _listener.OnEvent(sequence, sentAt);
        }
    }

    /// <summary>Keeps the event's last argument when it is a string (<c>…,"offset"]</c>): its offset.</summary>
    private void ReadOffset(ReadOnlySpan<byte> frame)
    {
        if (!frame.EndsWith("\"]"u8))
        {
            return;
        }

        var text = frame[..^2];
        var start = text.LastIndexOf((byte)'"') + 1;
        if (start > 1 && text.Length - start <= _offset.Length && text[start - 2] == (byte)',')
        {
            text[start..].CopyTo(_offset);
            _offsetLength = text.Length - start;
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
