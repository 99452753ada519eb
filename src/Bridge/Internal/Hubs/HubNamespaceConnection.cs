using System.Buffers;
using System.IO.Pipelines;
using System.Security.Claims;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using EvolutionHub.Bridge.Internal.SocketIO;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// One Socket.IO namespace connection, which is one SignalR hub connection: an in-memory
/// <see cref="DefaultConnectionContext"/> handed to the hub's connection handler, behind the Socket.IO layer's
/// <see cref="ISocketIoSocket"/>. Client packets are written into it as <see cref="BridgeFrame"/>s; the hub's frames go
/// to the socket's <see cref="SocketIoSocketOutput"/> as the hub writes them (<see cref="HubOutputWriter"/>).
/// </summary>
internal sealed partial class HubNamespaceConnection : ISocketIoSocket, IHubFrameHandler
{
    private static readonly byte[] SignalRHandshake = "{\"protocol\":\"socketio\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] TooManyPendingAcks = "[{\"error\":\"Too many pending acknowledgements\"}]"u8.ToArray();

    private readonly SocketIoSocketOutput _socket;
    private readonly SocketIoAcks _acks;
    private readonly ILogger _logger;
    private readonly Pipe _toHub;
    private readonly HubOutputWriter _output;
    private readonly DefaultConnectionContext _context;
    private readonly HubConnectedFeature _hubConnected = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Task _hubTask = Task.CompletedTask;
    private int _state;

    public HubNamespaceConnection(SocketIoFeature handshake, ClaimsPrincipal user, IReadOnlyDictionary<object, object?>? items,
        SocketIoSocketOutput socket, SocketIoAcks acks, PipeOptions toHubPipeOptions, ILogger logger)
    {
        _socket = socket;
        _acks = acks;
        _toHub = new Pipe(toHubPipeOptions);
        _output = new HubOutputWriter(this);
        Handshake = handshake;
        _logger = logger;
        _context = new DefaultConnectionContext(handshake.SocketId) { Transport = new DuplexPipe(_toHub.Reader, _output) };
        _context.Features.Set<ISocketIoFeature>(handshake);
        _context.Features.Set(_hubConnected);
        _context.User = user;
        if (items is not null)
        {
            foreach (var (key, value) in items)
            {
                _context.Items[key] = value;
            }
        }
    }

    public SocketIoFeature Handshake { get; }

    private bool IsClosedByClient => ((ConnectionState)Volatile.Read(ref _state)).HasFlag(ConnectionState.ClosedByClient);

    /// <summary>Raised once the hub connection has ended, whoever ended it.</summary>
    public event Action<ISocketIoSocket>? Ended;

    /// <summary>Starts the hub connection; returns null once the hub has run OnConnectedAsync, or the error to send the client.</summary>
    public async Task<string?> StartAsync(ConnectionHandler handler)
    {
        // Written before the hub reads it, SignalR's handshake read completes at once: the handshake and OnConnectedAsync
        // run on this thread, without a pending read to wake on the thread pool. An empty pipe takes it without waiting.
        _toHub.Writer.Write(SignalRHandshake);
        await _toHub.Writer.FlushAsync();
        _hubTask = RunHubAsync(handler);

        // A refused handshake ends the hub connection, which answers this wait as well.
        var connected = _hubConnected.Connected.Task;
        await Task.WhenAny(connected, _hubTask);
        if (!connected.IsCompletedSuccessfully)
        {
            var error = connected.Exception?.InnerException is HubException hubException ? hubException.Message : "Server error";
            await AbandonAsync();
            return error;
        }

        return null;
    }

    /// <summary>Starts forwarding the hub's messages to the client: the CONNECT ack is queued.</summary>
    public void OnConnectSent()
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
            Log.HubConnectionFailed(_logger, Handshake.SocketId, ex);
        }
        finally
        {
            _acks.End();
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

        _socket.Release();
        if (!state.HasFlag(ConnectionState.Forwarding))
        {
            _output.Discard();
        }

        // Out of the session's namespaces first, so that a client that connects the namespace again at once is not refused.
        Ended?.Invoke(this);
        if (!IsClosedByClient)
        {
            // The hub ended the connection (Context.Abort, an error): the client learns its namespace is disconnected.
            _socket.SendDisconnect();
        }
    }

    void IHubFrameHandler.OnFrame(in BridgeFrame frame, bool shared)
    {
        long? ackId;
        SocketIoPacketType type;
        switch (frame.Kind)
        {
            case BridgeFrameKind.Event when shared && frame.Id is null && frame.Attachments.Count == 0 && frame.Text.IsSingleSegment:
                _socket.SendSharedEvent(frame.Text.First);
                return;
            case BridgeFrameKind.Event:
                ackId = frame.Id is null ? null : _acks.Register(frame.Id);
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event;
                break;
            case BridgeFrameKind.NoAck:
                _acks.Answered();
                return;
            case BridgeFrameKind.Ack when long.TryParse(frame.Id, out var id):
                _acks.Answered();
                ackId = id;
                type = frame.Attachments.Count > 0 ? SocketIoPacketType.BinaryAck : SocketIoPacketType.Ack;
                break;
            default:
                return;
        }

        _socket.Send(type, ackId, frame.Text, frame.Attachments);
    }

    /// <summary>
    /// Hands a client EVENT or ACK to the hub. Called in order, one at a time, by the session's receive path. An event with
    /// an ack id beyond the session's <see cref="SocketIoOptions.MaxPendingAcks"/> is answered with an error at once instead.
    /// </summary>
    public async ValueTask OnPacketAsync(SocketIoPacket packet)
    {
        string? id;
        BridgeFrameKind kind;
        if (packet.Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent)
        {
            if (packet.Id is { } ackId && !_acks.TryAwait())
            {
                Log.TooManyPendingAcks(_logger, Handshake.SocketId, ackId);
                _socket.Send(SocketIoPacketType.Ack, ackId, TooManyPendingAcks);
                return;
            }

            kind = BridgeFrameKind.Event;
            id = packet.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            kind = BridgeFrameKind.Ack;
            if (!_acks.TryTake(packet.Id!.Value, out id))
            {
                return;
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

    /// <summary>The Engine.IO heartbeat proved the client alive: keep SignalR's client timeout satisfied.</summary>
    public async ValueTask OnHeartbeatAsync()
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
    public void OnClientDisconnect()
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
