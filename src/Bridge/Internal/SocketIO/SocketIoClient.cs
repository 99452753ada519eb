using System.Text;
using System.Text.Json;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// The Socket.IO side of one Engine.IO session: decodes packets, multiplexes its namespace connections, answers
/// CONNECT (or CONNECT_ERROR) and closes the session when no namespace is joined within the connect timeout, as
/// socket.io's <c>Client</c>. Each namespace connection is an <see cref="ISocketIoSocket"/> of what serves the namespace.
/// </summary>
internal sealed partial class SocketIoClient
{
    private static readonly JsonSerializerOptions ErrorSerializerOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IEngineIoSession _engine;
    private readonly SocketIoNamespaces _routes;
    private readonly ISocketIoConnectHandler _connectHandler;
    private readonly ConnectionStateRecovery _recovery;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly PacketDecoder _decoder;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ISocketIoSocket> _namespaces = new(StringComparer.Ordinal);
    // Let go of once a namespace is joined: a disposed timer still held would cost a connected session ~120 bytes for nothing.
    private ITimer? _connectTimer;
    private readonly int _maxNamespaces;
    private readonly PendingAcks _pendingAcks;
    private bool _closed;

    public SocketIoClient(IEngineIoSession engine, SocketIoNamespaces routes, ISocketIoConnectHandler connectHandler, ConnectionStateRecovery recovery,
        IServiceProvider services, SocketIoOptions options, TimeProvider time, ILogger logger)
    {
        _engine = engine;
        _routes = routes;
        _connectHandler = connectHandler;
        _recovery = recovery;
        _services = services;
        _logger = logger;
        _decoder = new PacketDecoder(engine.Protocol, options.MaxAttachments, options.MaxPayload);
        _maxNamespaces = options.MaxNamespacesPerSession;
        _pendingAcks = new PendingAcks(options.MaxPendingAcks);
        _connectTimer = time.CreateTimer(static s => ((SocketIoClient)s!).OnConnectTimeout(), this, TimeSpan.FromMilliseconds(options.ConnectTimeout), Timeout.InfiniteTimeSpan);
    }

    public async ValueTask OpenAsync()
    {
        // Socket.IO v2 clients (Engine.IO v3) are connected to the main namespace without asking.
        if (_engine.Protocol == 3)
        {
            await ConnectAsync(new SocketIoPacket(SocketIoPacketType.Connect, "/", null, null, default, 0));
        }
    }

    public async ValueTask ReceiveAsync(ReadOnlyMemory<byte> data, bool isBinary)
    {
        SocketIoPacket? packet;
        try
        {
            packet = isBinary ? _decoder.DecodeBinary(data) : _decoder.DecodeText(data);
        }
        catch (SocketIoProtocolException ex)
        {
            Log.MalformedPacket(_logger, _engine.Id, ex.Message);
            _engine.OnProtocolError(ex.Message);
            return;
        }

        if (packet is not null)
        {
            await DispatchAsync(packet);
        }
    }

    private async ValueTask DispatchAsync(SocketIoPacket packet)
    {
        ISocketIoSocket? socket;
        lock (_lock)
        {
            _namespaces.TryGetValue(packet.Namespace, out socket);
        }

        switch (packet.Type)
        {
            case SocketIoPacketType.Connect when socket is null:
                await ConnectAsync(packet);
                break;
            case SocketIoPacketType.Disconnect when socket is not null:
                Remove(socket);
                socket.OnClientDisconnect();
                break;
            case SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent or SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck when socket is not null:
                await socket.OnPacketAsync(packet);
                break;
            default:
                Log.InvalidState(_logger, _engine.Id, packet.Type, packet.Namespace);
                _engine.OnProtocolError("packet for a namespace in the wrong state");
                break;
        }
    }

    private async ValueTask ConnectAsync(SocketIoPacket packet)
    {
        var ns = packet.Namespace;
        int joined;
        lock (_lock)
        {
            joined = _namespaces.Count;
        }

        // Connects run one at a time (the receive path awaits each), so the count cannot change under this check.
        if (joined >= _maxNamespaces)
        {
            SendConnectError(ns, new SocketIoError("Too many namespaces"));
            return;
        }

        if (_routes.Find(ns) is not { } nsp)
        {
            SendConnectError(ns, new SocketIoError("Invalid namespace"));
            return;
        }

        ISocketIoSocket? socket;
        string? error;
        SocketIoSocketOutput? output = null;
        try
        {
            var auth = ReadAuth(packet);
            var recovery = await _recovery.TakeAsync(_engine.Protocol, ns, auth, _engine.Closed);
            var feature = new SocketIoFeature(ns, NewSocketId(ns), _engine, auth, MergeQuery(_engine.Handshake.Query, packet.Query));
            if (recovery is (var request, { } session))
            {
                feature.Recover(session, request.Offset);
            }

            var context = new SocketIoConnectContext(feature, _services, recovery?.Request);
            var decision = await _connectHandler.OnConnectAsync(context, _engine.Closed);
            if (decision.Error is { } refusal)
            {
                SendConnectError(ns, refusal);
                return;
            }

            if (!feature.Recovered || decision.RefusesRecovery)
            {
                feature.StartAsNew(feature.Recovered ? NewSocketId(ns) : feature.SocketId, _recovery.NewPid(_engine.Protocol));
            }

            output = new SocketIoSocketOutput(_engine, _routes.Encoders, ns);
            (socket, error) = await nsp.ConnectAsync(feature, context.User, context.ItemsSet, output, new SocketIoAcks(_pendingAcks));
        }
        catch (Exception ex) when (!_engine.IsClosed)
        {
            // A failing handler (its store unreachable, say) refuses this namespace; the session and its other namespaces live on.
            output?.Release();
            Log.ConnectFailed(_logger, _engine.Id, ns, ex);
            SendConnectError(ns, new SocketIoError("Server error"));
            return;
        }

        if (socket is null)
        {
            output.Release();
            SendConnectError(ns, new SocketIoError(error ?? "Server error"));
            return;
        }

        lock (_lock)
        {
            if (!_closed)
            {
                _namespaces[ns] = socket;
            }
        }

        if (_closed)
        {
            socket.OnClientDisconnect();
            return;
        }

        socket.Ended += Remove;
        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();

        // Recorded before the client learns its pid: from then on it can recover, even should this node die.
        await _recovery.TrackAsync(socket, _engine.Closed);
        output.Send(SocketIoPacketType.Connect, null, ConnectAck(socket.Handshake));
        socket.OnConnectSent();
    }

    /// <summary>
    /// The CONNECT ack's body: nothing for v2 clients; <c>{"sid"}</c>, plus <c>"pid"</c> with recovery on (the client
    /// takes itself as recovered when it is the pid it sent).
    /// </summary>
    private byte[] ConnectAck(SocketIoFeature socket) => _engine.Protocol == 3 ? []
        : socket.Pid is { } pid ? Encoding.UTF8.GetBytes($$"""{"sid":"{{socket.SocketId}}","pid":"{{pid}}"}""")
        : Encoding.UTF8.GetBytes($$"""{"sid":"{{socket.SocketId}}"}""");

    /// <summary>
    /// Protocol v5 sends the socket id in the CONNECT ack; v2 clients never receive it and take
    /// <c>namespace#engineId</c> (the engine id alone on <c>/</c>), so the server uses the same.
    /// </summary>
    private string NewSocketId(string ns) =>
        _engine.Protocol == 4 ? RandomIds.New() : ns == "/" ? _engine.Id : ns + "#" + _engine.Id;

    private static JsonElement? ReadAuth(SocketIoPacket packet)
    {
        if (packet.Data.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(packet.Data, new JsonDocumentOptions { MaxDepth = PacketDecoder.MaxDepth });
        return document.RootElement.Clone();
    }

    private static IQueryCollection MergeQuery(IQueryCollection handshake, string? namespaceQuery)
    {
        if (string.IsNullOrEmpty(namespaceQuery))
        {
            return handshake;
        }

        var merged = handshake.ToDictionary(pair => pair.Key, pair => pair.Value);
        foreach (var (key, value) in QueryHelpers.ParseQuery(namespaceQuery))
        {
            merged[key] = value;
        }

        return new QueryCollection(merged);
    }

    private void SendConnectError(string ns, SocketIoError error)
    {
        Log.ConnectRefused(_logger, _engine.Id, ns, error.Message);
        var body = _engine.Protocol == 3
            ? JsonSerializer.SerializeToUtf8Bytes(error.Message)
            : JsonSerializer.SerializeToUtf8Bytes(error, ErrorSerializerOptions);
        _engine.Enqueue(PacketEncoder.Encode(SocketIoPacketType.ConnectError, PacketEncoder.NamespacePrefix(ns), null, 0, body));
    }

    private void Remove(ISocketIoSocket socket)
    {
        var ns = socket.Handshake.Namespace;
        lock (_lock)
        {
            if (_namespaces.TryGetValue(ns, out var current) && current == socket)
            {
                _namespaces.Remove(ns);
            }
        }
    }

    public async ValueTask KeepAliveAsync()
    {
        ISocketIoSocket[] sockets;
        lock (_lock)
        {
            sockets = [.. _namespaces.Values];
        }

        foreach (var socket in sockets)
        {
            await socket.OnHeartbeatAsync();
        }
    }

    /// <summary>The session ended for <paramref name="reason"/>: its sockets end, and may be recovered unless the reason was an error.</summary>
    public void Close(string reason)
    {
        ISocketIoSocket[] sockets;
        lock (_lock)
        {
            _closed = true;
            sockets = [.. _namespaces.Values];
            _namespaces.Clear();
        }

        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        var recoverable = ConnectionStateRecovery.IsRecoverable(reason);
        foreach (var socket in sockets)
        {
            if (recoverable)
            {
                _recovery.SaveWhenEnded(socket);
            }

            socket.OnClientDisconnect();
        }
    }

    private void OnConnectTimeout()
    {
        lock (_lock)
        {
            if (_namespaces.Count > 0)
            {
                return;
            }
        }

        Log.ConnectTimeout(_logger, _engine.Id);
        _engine.Close();
    }
}
