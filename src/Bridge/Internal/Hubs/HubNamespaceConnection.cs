using System.Buffers;
using System.IO.Pipelines;
using System.Security.Claims;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// One Socket.IO namespace connection, which is one SignalR hub connection: an in-memory
/// <see cref="DefaultConnectionContext"/> handed to the hub's connection handler. Client packets are written into it as
/// <see cref="BridgeFrame"/>s; the hub's frames are queued on the Engine.IO session, framed for this namespace, as the
/// hub writes them (<see cref="HubOutputWriter"/>).
/// </summary>
internal sealed partial class HubNamespaceConnection : IHubFrameHandler
{
    private static readonly byte[] Handshake = "{\"protocol\":\"socketio\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] TooManyPendingAcks = "[{\"error\":\"Too many pending acknowledgements\"}]"u8.ToArray();

    private readonly EngineIoSocket _engine;
    private readonly NamespaceEncoder _encoder;
    private readonly NamespaceEncoders _encoders;
    private readonly ILogger _logger;
    private readonly Pipe _toHub;
    private readonly HubOutputWriter _output;
    private readonly DefaultConnectionContext _context;
    private readonly Lock _acksLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly PendingAcks _pendingAcks;
    private Dictionary<long, string>? _serverAcks;
    private long _nextAckId;

    // Under _acksLock: the client's acknowledgements this connection counts in the session's PendingAcks.
    private int _awaitedAcks;
    private bool _acksEnded;
    private Task _hubTask = Task.CompletedTask;
    private int _state;

    public HubNamespaceConnection(EngineIoSocket engine, SocketIoFeature feature, ClaimsPrincipal user, IReadOnlyDictionary<object, object?>? items,
        PendingAcks pendingAcks, NamespaceEncoders encoders, PipeOptions toHubPipeOptions, ILogger logger)
    {
        _engine = engine;
        _pendingAcks = pendingAcks;
        _toHub = new Pipe(toHubPipeOptions);
        _output = new HubOutputWriter(this);
        Feature = feature;
        _logger = logger;
        _encoders = encoders;
        _encoder = encoders.Rent(feature.Namespace);
        _context = new DefaultConnectionContext(feature.SocketId) { Transport = new DuplexPipe(_toHub.Reader, _output) };
        _context.Features.Set<ISocketIoFeature>(feature);
        _context.Features.Set(feature);
        _context.User = user;
        if (items is not null)
        {
            foreach (var (key, value) in items)
            {
                _context.Items[key] = value;
            }
        }
    }

    public SocketIoFeature Feature { get; }

    /// <summary>The namespace part of this connection's packets, shared by the namespace's connections.</summary>
    public byte[] NamespacePrefix => _encoder.Prefix;

    private bool IsClosedByClient => ((ConnectionState)Volatile.Read(ref _state)).HasFlag(ConnectionState.ClosedByClient);

    /// <summary>Raised once the hub connection has ended, whoever ended it.</summary>
    public event Action<HubNamespaceConnection>? Ended;

    /// <summary>Starts the hub connection; returns null once the hub has run OnConnectedAsync, or the error to send the client.</summary>
    public async Task<string?> StartAsync(ConnectionHandler handler)
    {
        _hubTask = RunHubAsync(handler);
        await _toHub.Writer.WriteAsync(Handshake);

        // A refused handshake ends the hub connection, which answers this wait as well.
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
    public void StartForwarding()
    {
        _output.StartForwarding();
        ChangeState(ConnectionState.Forwarding);
    }

    private async Task RunHubAsync(ConnectionHandler handler)
    {
        // Set in this async method, the grant flows into the handshake below and not back to the caller.
        SocketIoHubProtocolResolver.GrantHandshake();
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
            EndAwaitedAcks();
            _output.Complete();
            ChangeState(ConnectionState.HubEnded);
        }
    }

    private async Task AbandonAsync()
    {
        ChangeState(ConnectionState.ClosedByClient);
        await CompleteInputAsync();
        await _hubTask;
    }

    /// <summary>The connection ends once the hub has ended and the client was told (forwarding started) or had left.</summary>
    private void ChangeState(ConnectionState flag)
    {
        var state = (ConnectionState)Interlocked.Or(ref _state, (int)flag) | flag;
        if (!state.HasFlag(ConnectionState.HubEnded) || (state & (ConnectionState.Forwarding | ConnectionState.ClosedByClient)) == 0
            || ((ConnectionState)Interlocked.Or(ref _state, (int)ConnectionState.EndHandled)).HasFlag(ConnectionState.EndHandled))
        {
            return;
        }

        _encoders.Return(_encoder);
        if (!state.HasFlag(ConnectionState.Forwarding))
        {
            _output.Discard();
        }

        // Out of the session's namespaces first, so that a client that connects the namespace again at once is not refused.
        Ended?.Invoke(this);
        if (!IsClosedByClient)
        {
            // The hub ended the connection (Context.Abort, an error): the client learns its namespace is disconnected.
            _engine.Enqueue(PacketEncoder.Encode(SocketIoPacketType.Disconnect, _encoder.Prefix, null, 0, []));
        }
    }

    void IHubFrameHandler.OnFrame(in BridgeFrame frame, bool shared)
    {
        long? ackId;
        SocketIoPacketType type;
        switch (frame.Kind)
        {
            case BridgeFrameKind.Event when shared && frame.Id is null && frame.Attachments.Count == 0 && frame.Text.IsSingleSegment:
                _engine.Enqueue(_encoder.EncodeEvent(frame.Text.FirstSpan));
                return;
            case BridgeFrameKind.Event:
                ackId = frame.Id is null ? null : RegisterServerAck(frame.Id);
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event;
                break;
            case BridgeFrameKind.NoAck:
                AckAnswered();
                return;
            case BridgeFrameKind.Ack when long.TryParse(frame.Id, out var id):
                AckAnswered();
                ackId = id;
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryAck : SocketIoPacketType.Ack;
                break;
            default:
                return;
        }

        var text = frame.Text;
        var packet = text.IsSingleSegment
            ? PacketEncoder.Encode(type, _encoder.Prefix, ackId, frame.Attachments.Count, text.FirstSpan)
            : PacketEncoder.Encode(type, _encoder.Prefix, ackId, frame.Attachments.Count, text.ToArray());
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

    /// <summary>
    /// Hands a client EVENT or ACK to the hub. Called in order, one at a time, by the session's receive path. An event with
    /// an ack id beyond the session's <see cref="SocketIoOptions.MaxPendingAcks"/> is answered with an error at once instead.
    /// </summary>
    public async ValueTask ReceiveAsync(SocketIoPacket packet)
    {
        string? id;
        BridgeFrameKind kind;
        if (packet.Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent)
        {
            if (packet.Id is { } ackId && !TryAwaitAck())
            {
                Log.TooManyPendingAcks(_logger, Feature.SocketId, ackId);
                _engine.Enqueue(PacketEncoder.Encode(SocketIoPacketType.Ack, _encoder.Prefix, ackId, 0, TooManyPendingAcks));
                return;
            }

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
            if (!IsClosedByClient)
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

    private bool TryAwaitAck()
    {
        lock (_acksLock)
        {
            // Once the hub has ended, the event goes nowhere and awaits nothing.
            if (_acksEnded)
            {
                return true;
            }

            if (!_pendingAcks.TryAdd())
            {
                return false;
            }

            _awaitedAcks++;
            return true;
        }
    }

    private void AckAnswered()
    {
        lock (_acksLock)
        {
            if (_awaitedAcks > 0)
            {
                _awaitedAcks--;
                _pendingAcks.Remove(1);
            }
        }
    }

    /// <summary>The hub ended: what it had not answered never will be, and no longer counts against the session.</summary>
    private void EndAwaitedAcks()
    {
        lock (_acksLock)
        {
            _acksEnded = true;
            _pendingAcks.Remove(_awaitedAcks);
            _awaitedAcks = 0;
        }
    }

    /// <summary>The Engine.IO heartbeat proved the client alive: keep SignalR's client timeout satisfied.</summary>
    public async ValueTask KeepAliveAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (!IsClosedByClient)
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
        ChangeState(ConnectionState.ClosedByClient);
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

    [Flags]
    private enum ConnectionState
    {
        Forwarding = 1,
        HubEnded = 2,
        ClosedByClient = 4,
        EndHandled = 8,
    }
}
