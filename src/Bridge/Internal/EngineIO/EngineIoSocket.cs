using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>
/// One Engine.IO session: its outgoing queue (read by whichever transport is active), heartbeat, close, and which
/// transport is active: the polling → WebSocket upgrade, its probe and the pending poll change together under one
/// private lock, as engine.io's <c>maybeUpgrade</c> keeps them in its socket. Incoming packets are handed in by the
/// transports, one at a time.
/// </summary>
internal sealed partial class EngineIoSocket : IEngineIoSession
{
    private static readonly TimeSpan UpgradePollDelay = TimeSpan.FromMilliseconds(100);

    private readonly PacketQueue _outgoing = new();
    private readonly IEngineIoSessionHandler _application;
    private readonly SocketIoOptions _options;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);
    private readonly ILogger _logger;
    private readonly Action<EngineIoSocket> _onClosed;
    private readonly SessionAdmission.SessionLease _lease;
    private readonly ITimer _heartbeatTimer;
    private readonly SemaphoreSlim _receiveLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private int _waitingPackets;
    private long _waitingBytes;
    private int _closeStarted;
    private readonly TimeProvider _time;
    private volatile bool _awaitingPong;
    private long _pingSentAt;
    private bool _lingerForPoll;
    private int _lingerEnded;
    private ITimer? _lingerTimer;

    private readonly Lock _transportLock = new();
    private EngineTransportKind _transport = EngineTransportKind.Polling;
    private UpgradeState _upgrade;
    private CancellationTokenSource? _pendingPoll;

    public EngineIoSocket(string id, int protocol, EngineIoHandshake handshake, IEngineIoSessionHandler application, SocketIoOptions options,
        TimeProvider time, ILogger logger, SessionAdmission.SessionLease lease, Action<EngineIoSocket> onClosed)
    {
        _lease = lease;
        Id = id;
        Protocol = protocol;
        Handshake = handshake;
        _application = application;
        _options = options;
        _logger = logger;
        _onClosed = onClosed;
        _time = time;
        _heartbeatTimer = time.CreateTimer(static s => ((EngineIoSocket)s!).OnHeartbeatTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Id { get; }

    public int Protocol { get; }

    public EngineIoHandshake Handshake { get; }

    public object? State { get; set; }

    public EngineTransportKind Transport
    {
        get
        {
            lock (_transportLock)
            {
                return _transport;
            }
        }
    }

    public bool IsClosed => _closeStarted != 0;

    /// <summary>Cancelled when the session closes.</summary>
    public CancellationToken Closed => _closed.Token;

    public PacketQueue Outgoing => _outgoing;

    public void Open(EngineTransportKind transport)
    {
        lock (_transportLock)
        {
            _transport = transport;
        }

        Enqueue(EnginePacket.Text(EnginePacketType.Open, HandshakeData(canUpgrade: transport == EngineTransportKind.Polling)));
        ScheduleHeartbeat();
        _ = OpenApplicationAsync();
    }

    private string HandshakeData(bool canUpgrade)
    {
        var upgrades = canUpgrade ? "[\"websocket\"]" : "[]";
        var common = $"\"sid\":\"{Id}\",\"upgrades\":{upgrades},\"pingInterval\":{_options.PingInterval},\"pingTimeout\":{_options.PingTimeout}";
        return Protocol == 3 ? "{" + common + "}" : "{" + common + $",\"maxPayload\":{_options.MaxPayload}}}";
    }

    private async Task OpenApplicationAsync()
    {
        await _receiveLock.WaitAsync();
        try
        {
            await _application.OnOpenAsync(this);
        }
        catch (Exception ex)
        {
            Log.ApplicationFailed(_logger, Id, ex);
            CloseCore("server error", sendClosePacket: true);
        }
        finally
        {
            _receiveLock.Release();
        }
    }

    public bool Send(ReadOnlyMemory<byte> data, bool isBinary) =>
        Enqueue(isBinary ? EnginePacket.Binary(data) : EnginePacket.Text(EnginePacketType.Message, data.Span));

    /// <summary>
    /// Queues an encoded packet for whichever transport is active. A session whose packets waiting to be sent pass the
    /// limits is closed at once: it is not reading, and nobody else waits for it.
    /// </summary>
    public bool Enqueue(EnginePacket packet)
    {
        if (IsClosed)
        {
            return false;
        }

        var packets = Interlocked.Increment(ref _waitingPackets);
        var bytes = Interlocked.Add(ref _waitingBytes, packet.Frame.Length);
        if (packets > _options.MaxBufferedPackets || bytes > _options.MaxBufferedBytes)
        {
            Log.SlowConsumer(_logger, Id, bytes, packets, _options.MaxBufferedBytes, _options.MaxBufferedPackets);
            CloseCore("transport error", sendClosePacket: false);
            return false;
        }

        return _outgoing.TryWrite(packet);
    }

    /// <summary>Takes a packet out of the queue for a transport to write; it waits (and counts) until <see cref="Sent"/>.</summary>
    public bool TryDequeue(out EnginePacket packet) => _outgoing.TryRead(out packet);

    /// <summary>The transport wrote <paramref name="packet"/> to its connection: it no longer waits.</summary>
    public void Sent(in EnginePacket packet)
    {
        Interlocked.Decrement(ref _waitingPackets);
        Interlocked.Add(ref _waitingBytes, -packet.Frame.Length);
    }

    /// <summary>
    /// Hands incoming packets to the session, in order, as they are decoded; false when one is malformed (the session is then
    /// closed, after the packets before it).
    /// </summary>
    public async ValueTask<bool> ReceiveAsync(IEnumerable<EngineMessage> packets)
    {
        await _receiveLock.WaitAsync();
        try
        {
            using var decoded = packets.GetEnumerator();
            while (!IsClosed)
            {
                try
                {
                    if (!decoded.MoveNext())
                    {
                        break;
                    }
                }
                catch (EngineProtocolException ex)
                {
                    OnProtocolError(ex.Message);
                    return false;
                }

                await ReceiveAsync(decoded.Current);
            }
        }
        catch (Exception ex)
        {
            Log.ApplicationFailed(_logger, Id, ex);
            CloseCore("server error", sendClosePacket: true);
        }
        finally
        {
            _receiveLock.Release();
        }

        return true;
    }

    private async ValueTask ReceiveAsync(EngineMessage packet)
    {
        switch (packet.Type)
        {
            case EnginePacketType.Message:
                await _application.OnMessageAsync(this, packet.Data, packet.IsBinary);
                break;
            case EnginePacketType.Pong when Protocol == 4:
                // Only the answer to a ping is a heartbeat: pongs nobody asked for would each feed every namespace's hub.
                if (_awaitingPong)
                {
                    _awaitingPong = false;
                    ScheduleHeartbeat();
                    await _application.OnHeartbeatAsync(this);
                }

                break;
            case EnginePacketType.Ping when Protocol == 3:
                Enqueue(EnginePacket.Text(EnginePacketType.Pong, packet.Data.Span));
                ScheduleHeartbeat();
                await _application.OnHeartbeatAsync(this);
                break;
            case EnginePacketType.Close:
                // A poll the client sent alongside its close may arrive just after it: keep the sid for that one poll.
                lock (_transportLock)
                {
                    _lingerForPoll = _transport == EngineTransportKind.Polling && _pendingPoll is null;
                }

                CloseCore("transport close", sendClosePacket: false);
                break;
            default:
                Log.UnexpectedPacket(_logger, Id, (char)packet.Type);
                CloseCore("parse error", sendClosePacket: false);
                break;
        }
    }

    /// <summary>
    /// A polling GET wants to wait for packets. It may when the session still polls and no other poll waits; during an
    /// upgrade whose probe was answered it waits a moment only, so that the client can pause polling but cannot spin.
    /// </summary>
    public PollStart BeginPoll(CancellationTokenSource poll)
    {
        lock (_transportLock)
        {
            if (_transport != EngineTransportKind.Polling)
            {
                return PollStart.Upgraded;
            }

            if (_pendingPoll is not null)
            {
                return PollStart.Overlapping;
            }

            _pendingPoll = poll;
            if (_upgrade == UpgradeState.Probed)
            {
                poll.CancelAfter(UpgradePollDelay);
            }

            return PollStart.Waiting;
        }
    }

    /// <summary>The poll <paramref name="poll"/> stopped waiting.</summary>
    public void EndPoll(CancellationTokenSource poll)
    {
        lock (_transportLock)
        {
            if (_pendingPoll == poll)
            {
                _pendingPoll = null;
            }
        }
    }

    /// <summary>Takes a packet for a poll's answer; none once the session moved to its WebSocket, whose queue it is then.</summary>
    public bool TryDequeueForPoll(out EnginePacket packet)
    {
        lock (_transportLock)
        {
            if (_transport != EngineTransportKind.Polling)
            {
                packet = default;
                return false;
            }

            return _outgoing.TryRead(out packet);
        }
    }

    /// <summary>A WebSocket opened for this polling session; false when the session cannot upgrade (not polling, or already upgrading).</summary>
    public bool TryBeginUpgrade()
    {
        lock (_transportLock)
        {
            if (_transport != EngineTransportKind.Polling || _upgrade != UpgradeState.None)
            {
                return false;
            }

            _upgrade = UpgradeState.AwaitingProbe;
            return true;
        }
    }

    /// <summary>The probe was answered: a pending poll returns so that the client can pause polling.</summary>
    public void OnUpgradeProbed()
    {
        lock (_transportLock)
        {
            _upgrade = UpgradeState.Probed;
            _pendingPoll?.Cancel();
        }
    }

    /// <summary>The upgrade failed; the session goes on polling.</summary>
    public void AbortUpgrade()
    {
        lock (_transportLock)
        {
            _upgrade = UpgradeState.None;
        }
    }

    /// <summary>The upgrade completed: from now on the WebSocket writes the queue, and no poll waits on it.</summary>
    public void CompleteUpgrade()
    {
        lock (_transportLock)
        {
            _transport = EngineTransportKind.WebSocket;
            _upgrade = UpgradeState.None;
            _pendingPoll?.Cancel();
        }
    }

    public void Close() => CloseCore("forced close", sendClosePacket: true);

    /// <summary>The transport failed or went away.</summary>
    public void OnTransportClosed(string reason) => CloseCore(reason, sendClosePacket: false);

    /// <summary>Input that breaks the protocol: the session ends.</summary>
    public void OnProtocolError(string detail, bool sendClosePacket = false)
    {
        Log.ProtocolError(_logger, Id, detail);
        CloseCore("parse error", sendClosePacket);
    }

    /// <summary>
    /// Closes the session if the client let its pong deadline pass. The timer does the same, but a request arriving
    /// right at the deadline must not be served by a session that is already dead.
    /// </summary>
    public void CheckHeartbeat()
    {
        if (_awaitingPong && _time.GetElapsedTime(_pingSentAt) >= TimeSpan.FromMilliseconds(_options.PingTimeout))
        {
            CloseCore("ping timeout", sendClosePacket: false);
        }
    }

    private void CloseCore(string reason, bool sendClosePacket)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        Log.Closed(_logger, Id, reason);
        _lease.Release();
        _heartbeatTimer.Dispose();
        if (sendClosePacket && _outgoing.TryWrite(EnginePacket.Close))
        {
            Interlocked.Increment(ref _waitingPackets);
            Interlocked.Add(ref _waitingBytes, EnginePacket.Close.Frame.Length);
        }

        _outgoing.Complete();
        _closed.Cancel();
        if (_lingerForPoll)
        {
            _lingerTimer = _time.CreateTimer(static s => ((EngineIoSocket)s!).TryEndLinger(), this, LingerTime, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _onClosed(this);
        }

        _application.OnClose(this, reason);
    }

    /// <summary>Ends the short life a client-closed polling session keeps for a concurrent poll; true for the one caller that ends it.</summary>
    public bool TryEndLinger()
    {
        if (!_lingerForPoll || Interlocked.Exchange(ref _lingerEnded, 1) != 0)
        {
            return false;
        }

        _lingerTimer?.Dispose();
        _onClosed(this);
        return true;
    }

    private void ScheduleHeartbeat()
    {
        // v4: the server pings every pingInterval; v3: the client must ping within pingInterval + pingTimeout.
        var due = Protocol == 3 ? _options.PingInterval + _options.PingTimeout : _options.PingInterval;
        _heartbeatTimer.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    private void OnHeartbeatTimer()
    {
        if (IsClosed)
        {
            return;
        }

        if (Protocol == 3 || _awaitingPong)
        {
            CloseCore("ping timeout", sendClosePacket: false);
            return;
        }

        _pingSentAt = _time.GetTimestamp();
        _awaitingPong = true;
        Enqueue(EnginePacket.Ping);
        _heartbeatTimer.Change(TimeSpan.FromMilliseconds(_options.PingTimeout), Timeout.InfiniteTimeSpan);
    }

    /// <summary>What became of a polling GET that asked to wait (<see cref="BeginPoll"/>).</summary>
    public enum PollStart
    {
        /// <summary>It waits for packets.</summary>
        Waiting,

        /// <summary>The session moved to its WebSocket while the request was on its way.</summary>
        Upgraded,

        /// <summary>Another poll is waiting: the client broke the protocol.</summary>
        Overlapping,
    }

    /// <summary>Where a polling session's move to a WebSocket stands.</summary>
    private enum UpgradeState
    {
        /// <summary>No upgrade in progress.</summary>
        None,

        /// <summary>A WebSocket is open for the session; its probe has not arrived.</summary>
        AwaitingProbe,

        /// <summary>The probe was answered: the client pauses its polling, then sends the upgrade packet.</summary>
        Probed,
    }
}
