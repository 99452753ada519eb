using System.Buffers;
using System.IO.Pipelines;
using System.Security.Claims;
using System.Text.Json;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// One Socket.IO namespace connection, which is one SignalR hub connection: an in-memory
/// <see cref="DefaultConnectionContext"/> handed to the hub's connection handler. Client packets are written into it as
/// <see cref="BridgeFrame"/>s; a single pump reads the hub's frames and queues them, framed for this namespace, on the
/// Engine.IO session.
/// </summary>
internal sealed partial class HubNamespaceConnection
{
    private static readonly byte[] Handshake = "{\"protocol\":\"socketio\",\"version\":1}\u001e"u8.ToArray();

    // Hub → client never blocks a group send on a slow client: the Engine.IO session's queue limit handles those.
    private static readonly PipeOptions FromHubPipeOptions = new(pauseWriterThreshold: 0, useSynchronizationContext: false);

    private readonly EngineIoSocket _engine;
    private readonly byte[] _namespacePrefix;
    private readonly ILogger _logger;
    private readonly Pipe _toHub;
    private readonly Pipe _fromHub = new(FromHubPipeOptions);
    private readonly DefaultConnectionContext _context;
    private readonly Lock _acksLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Dictionary<long, string>? _serverAcks;
    private long _nextAckId;
    private Task _hubTask = Task.CompletedTask;
    private volatile bool _closedByClient;

    public HubNamespaceConnection(EngineIoSocket engine, SocketIoFeature feature, ClaimsPrincipal user, IDictionary<object, object?> items,
        PipeOptions toHubPipeOptions, ILogger logger)
    {
        _engine = engine;
        _toHub = new Pipe(toHubPipeOptions);
        Feature = feature;
        _logger = logger;
        _namespacePrefix = PacketEncoder.NamespacePrefix(feature.Namespace);
        _context = new DefaultConnectionContext(feature.SocketId, new DuplexPipe(_toHub.Reader, _fromHub.Writer), new DuplexPipe(_fromHub.Reader, _toHub.Writer));
        _context.Features.Set<ISocketIoFeature>(feature);
        _context.Features.Set(feature);
        _context.User = user;
        foreach (var (key, value) in items)
        {
            _context.Items[key] = value;
        }
    }

    public SocketIoFeature Feature { get; }

    /// <summary>Raised once the hub connection has ended, whoever ended it.</summary>
    public event Action<HubNamespaceConnection>? Ended;

    /// <summary>Starts the hub connection; returns null once the hub has run OnConnectedAsync, or the error to send the client.</summary>
    public async Task<string?> StartAsync(ConnectionHandler handler)
    {
        _hubTask = RunHubAsync(handler);
        await _toHub.Writer.WriteAsync(Handshake);

        if (!await ReadHandshakeResponseAsync())
        {
            await AbandonAsync();
            return "Server error";
        }

        await Task.WhenAny(Feature.HubConnected.Task, _hubTask);
        if (!Feature.HubConnected.Task.IsCompletedSuccessfully)
        {
            var error = Feature.HubConnected.Task.Exception?.InnerException is HubException hubException ? hubException.Message : "Server error";
            await AbandonAsync();
            return error;
        }

        return null;
    }

    /// <summary>Starts forwarding the hub's messages to the client; call after the CONNECT ack is queued.</summary>
    public void StartPump() => _ = PumpAsync();

    private async Task RunHubAsync(ConnectionHandler handler)
    {
        try
        {
            await handler.OnConnectedAsync(_context);
        }
        catch (Exception ex)
        {
            Log.HubConnectionFailed(_logger, Feature.SocketId, ex);
        }
        finally
        {
            await _fromHub.Writer.CompleteAsync();
        }
    }

    private async Task<bool> ReadHandshakeResponseAsync()
    {
        var reader = _fromHub.Reader;
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)0x1E);
            if (end is { } position)
            {
                var response = buffer.Slice(0, position);
                var accepted = IsAccepted(response);
                reader.AdvanceTo(buffer.GetPosition(1, position));
                return accepted;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return false;
            }
        }

        static bool IsAccepted(ReadOnlySequence<byte> response)
        {
            var reader = new Utf8JsonReader(response);
            return JsonElement.TryParseValue(ref reader, out var element)
                && element?.ValueKind == JsonValueKind.Object && !element.Value.TryGetProperty("error", out _);
        }
    }

    private async Task AbandonAsync()
    {
        _closedByClient = true;
        await CompleteInputAsync();
        await _hubTask;
        await _fromHub.Reader.CompleteAsync();
    }

    private async Task PumpAsync()
    {
        var reader = _fromHub.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (BridgeFrame.TryRead(ref buffer, out var frame))
                {
                    Forward(frame);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            Log.PumpFailed(_logger, Feature.SocketId, ex);
        }
        finally
        {
            await reader.CompleteAsync();
        }

        await _hubTask;
        if (!_closedByClient)
        {
            // The hub ended the connection (Context.Abort, an error): the client learns its namespace is disconnected.
            _engine.Enqueue(PacketEncoder.Encode(SocketIoPacketType.Disconnect, _namespacePrefix, null, 0, []));
        }

        Ended?.Invoke(this);
    }

    private void Forward(in BridgeFrame frame)
    {
        long? ackId;
        SocketIoPacketType type;
        switch (frame.Kind)
        {
            case BridgeFrameKind.Event:
                ackId = frame.Id is null ? null : RegisterServerAck(frame.Id);
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event;
                break;
            case BridgeFrameKind.Ack when long.TryParse(frame.Id, out var id):
                ackId = id;
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryAck : SocketIoPacketType.Ack;
                break;
            default:
                return;
        }

        var text = frame.Text;
        var packet = text.IsSingleSegment
            ? PacketEncoder.Encode(type, _namespacePrefix, ackId, frame.Attachments.Count, text.FirstSpan)
            : PacketEncoder.Encode(type, _namespacePrefix, ackId, frame.Attachments.Count, text.ToArray());
        _engine.Enqueue(packet);
        foreach (var attachment in frame.Attachments)
        {
            _engine.Enqueue(EnginePacket.Binary(attachment.ToArray()));
        }
    }

    private long RegisterServerAck(string invocationId)
    {
        lock (_acksLock)
        {
            var ackId = _nextAckId++;
            (_serverAcks ??= [])[ackId] = invocationId;
            return ackId;
        }
    }

    /// <summary>Hands a client EVENT or ACK to the hub. Called in order, one at a time, by the session's receive path.</summary>
    public async ValueTask ReceiveAsync(SocketIoPacket packet)
    {
        string? id;
        BridgeFrameKind kind;
        if (packet.Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent)
        {
            kind = BridgeFrameKind.Event;
            id = packet.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            kind = BridgeFrameKind.Ack;
            lock (_acksLock)
            {
                if (_serverAcks is null || !_serverAcks.Remove(packet.Id!.Value, out id))
                {
                    return;
                }
            }
        }

        await _writeLock.WaitAsync();
        try
        {
            if (!_closedByClient)
            {
                BridgeFrame.Write(_toHub.Writer, kind, id, packet.Data.Span, packet.Attachments);
                await _toHub.Writer.FlushAsync();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The Engine.IO heartbeat proved the client alive: keep SignalR's client timeout satisfied.</summary>
    public async ValueTask KeepAliveAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (!_closedByClient)
            {
                BridgeFrame.WriteHeader(_toHub.Writer, BridgeFrameKind.Ping, null, 0, 0);
                await _toHub.Writer.FlushAsync();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The client left the namespace, or its session ended: end the hub connection. The session may end on any
    /// thread, so completing the pipe waits for a write in progress.
    /// </summary>
    public void Close()
    {
        _closedByClient = true;
        _ = CompleteInputAsync();
    }

    private async Task CompleteInputAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await _toHub.Writer.CompleteAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
