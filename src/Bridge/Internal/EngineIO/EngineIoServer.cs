using System.Collections.Concurrent;
using System.Globalization;
using EvolutionHub.Bridge.Internal.EngineIO.Transports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>
/// The Engine.IO endpoint: validates each request, performs the handshake, keeps the session table and hands
/// requests to the polling or WebSocket transport.
/// </summary>
internal sealed partial class EngineIoServer
{
    private readonly ConcurrentDictionary<string, EngineIoSocket> _sessions = new(StringComparer.Ordinal);
    private readonly IEngineIoSessionHandler _application;
    private readonly SocketIoOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly PollingTransport _polling;
    private readonly WebSocketTransport _webSocket;
    private readonly SessionAdmission _admission;
    private readonly HandshakeHeaderFilter _handshakeHeaders;
    private volatile bool _stopping;

    public EngineIoServer(
        IEngineIoSessionHandler application, IOptions<SocketIoOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    {
        _application = application;
        _options = options.Value;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EngineIoServer>();
        _polling = new PollingTransport(_options, loggerFactory.CreateLogger<PollingTransport>());
        _webSocket = new WebSocketTransport(_options, time, loggerFactory.CreateLogger<WebSocketTransport>());
        _admission = new SessionAdmission(_options, time);
        _handshakeHeaders = new HandshakeHeaderFilter(_options);
        lifetime.ApplicationStopping.Register(CloseAllSessions);
    }

    public int SessionCount => _sessions.Count;

    /// <remarks>
    /// Not async, nor is the handshake: each hands on the task of what ends the request, so that a WebSocket session's
    /// request holds no state machine of theirs for its whole life.
    /// </remarks>
    public Task HandleRequestAsync(HttpContext context)
    {
        var request = context.Request;
        var protocol = request.Query["EIO"].ToString() switch
        {
            "4" => 4,
            "3" when _options.AllowEngineIoV3 => 3,
            _ => 0,
        };
        if (protocol == 0)
        {
            return RejectAsync(context, EngineIoError.UnsupportedProtocolVersion, "Unsupported protocol version");
        }

        var transport = request.Query["transport"].ToString() switch
        {
            "polling" => EngineTransportKind.Polling,
            "websocket" => EngineTransportKind.WebSocket,
            _ => (EngineTransportKind?)null,
        };
        if (transport is null)
        {
            return RejectAsync(context, EngineIoError.UnknownTransport, "Transport unknown");
        }

        var sid = request.Query["sid"].ToString();
        if (sid.Length == 0)
        {
            return HandshakeAsync(context, protocol, transport.Value);
        }

        if (_sessions.TryGetValue(sid, out var session))
        {
            session.CheckHeartbeat();
        }

        if (session is not null && session.IsClosed && transport == EngineTransportKind.Polling && HttpMethods.IsGet(request.Method) && session.TryEndLinger())
        {
            return _polling.WriteNoopAsync(context, session);
        }

        if (session is null || session.IsClosed || session.Protocol != protocol)
        {
            return RejectAsync(context, EngineIoError.UnknownSessionId, "Session ID unknown");
        }

        if (transport == EngineTransportKind.WebSocket)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return RejectAsync(context, EngineIoError.BadRequest, "Bad request");
            }

            return _webSocket.UpgradeAsync(context, session);
        }

        if (session.Transport != EngineTransportKind.Polling)
        {
            return RejectAsync(context, EngineIoError.BadRequest, "Bad request");
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return _polling.PollAsync(context, session);
        }

        return HttpMethods.IsPost(request.Method)
            ? _polling.ReceiveAsync(context, session)
            : RejectAsync(context, EngineIoError.BadHandshakeMethod, "Bad request method");
    }

    private Task HandshakeAsync(HttpContext context, int protocol, EngineTransportKind transport)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return RejectAsync(context, EngineIoError.BadHandshakeMethod, "Bad handshake method");
        }

        if (transport == EngineTransportKind.WebSocket && !context.WebSockets.IsWebSocketRequest)
        {
            return RejectAsync(context, EngineIoError.BadRequest, "Bad request");
        }

        if (_handshakeHeaders.Keep(context.Request.Headers) is not { } headers)
        {
            return RejectAsync(context, EngineIoError.BadRequest, "Bad request", StatusCodes.Status431RequestHeaderFieldsTooLarge);
        }

        if (_stopping)
        {
            context.Response.Headers.RetryAfter = "1";
            return RejectAsync(context, EngineIoError.Forbidden, "Server shutting down", StatusCodes.Status503ServiceUnavailable);
        }

        // Before any session state exists, and before a WebSocket is accepted.
        if (!_admission.TryAdmit(context.Connection.RemoteIpAddress, out var lease, out var refusal))
        {
            Log.Refused(_logger, context.Connection.RemoteIpAddress, refusal.Message);
            context.Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return RejectAsync(context, EngineIoError.Forbidden, refusal.Message, refusal.StatusCode);
        }

        var session = new EngineIoSocket(RandomIds.New(), protocol, EngineIoHandshake.From(context, headers), _application, _options, _time,
            _loggerFactory.CreateLogger<EngineIoSocket>(), lease, closed => _sessions.TryRemove(closed.Id, out _));
        _sessions[session.Id] = session;
        Log.Opened(_logger, session.Id, protocol, transport);

        if (transport == EngineTransportKind.WebSocket)
        {
            return _webSocket.OpenAsync(context, session);
        }

        session.Open(EngineTransportKind.Polling);
        return _polling.PollAsync(context, session);
    }

    /// <summary>
    /// The host is stopping (a rolling restart): no new session is opened, and every session's transport is closed with an
    /// Engine.IO close, never a Socket.IO DISCONNECT, so that clients reconnect by themselves — to another node behind a
    /// balancer — instead of giving up, and the host's shutdown does not wait out their connections.
    /// </summary>
    private void CloseAllSessions()
    {
        _stopping = true;
        Log.ClosingForShutdown(_logger, _sessions.Count);
        foreach (var session in _sessions.Values)
        {
            session.Close();
        }
    }

    internal static Task RejectAsync(HttpContext context, EngineIoError code, string message, int statusCode = StatusCodes.Status400BadRequest)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($$"""{"code":{{(int)code}},"message":"{{message}}"}""");
    }
}
