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

    public async Task HandleRequestAsync(HttpContext context)
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
            await RejectAsync(context, EngineIoError.UnsupportedProtocolVersion, "Unsupported protocol version");
            return;
        }

        var transport = request.Query["transport"].ToString() switch
        {
            "polling" => EngineTransportKind.Polling,
            "websocket" => EngineTransportKind.WebSocket,
            _ => (EngineTransportKind?)null,
        };
        if (transport is null)
        {
            await RejectAsync(context, EngineIoError.UnknownTransport, "Transport unknown");
            return;
        }

        var sid = request.Query["sid"].ToString();
        if (sid.Length == 0)
        {
            await HandshakeAsync(context, protocol, transport.Value);
            return;
        }

        if (_sessions.TryGetValue(sid, out var session))
        {
            session.CheckHeartbeat();
        }

        if (session is not null && session.IsClosed && transport == EngineTransportKind.Polling && HttpMethods.IsGet(request.Method) && session.TryEndLinger())
        {
            await _polling.WriteNoopAsync(context, session);
            return;
        }

        if (session is null || session.IsClosed || session.Protocol != protocol)
        {
            await RejectAsync(context, EngineIoError.UnknownSessionId, "Session ID unknown");
            return;
        }

        if (transport == EngineTransportKind.WebSocket)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await RejectAsync(context, EngineIoError.BadRequest, "Bad request");
                return;
            }

            await _webSocket.UpgradeAsync(context, session);
            return;
        }

        if (session.Transport != EngineTransportKind.Polling)
        {
            await RejectAsync(context, EngineIoError.BadRequest, "Bad request");
            return;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            await _polling.PollAsync(context, session);
        }
        else if (HttpMethods.IsPost(request.Method))
        {
            await _polling.ReceiveAsync(context, session);
        }
        else
        {
            await RejectAsync(context, EngineIoError.BadHandshakeMethod, "Bad request method");
        }
    }

    private async Task HandshakeAsync(HttpContext context, int protocol, EngineTransportKind transport)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await RejectAsync(context, EngineIoError.BadHandshakeMethod, "Bad handshake method");
            return;
        }

        if (transport == EngineTransportKind.WebSocket && !context.WebSockets.IsWebSocketRequest)
        {
            await RejectAsync(context, EngineIoError.BadRequest, "Bad request");
            return;
        }

        if (_handshakeHeaders.Keep(context.Request.Headers) is not { } headers)
        {
            await RejectAsync(context, EngineIoError.BadRequest, "Bad request", StatusCodes.Status431RequestHeaderFieldsTooLarge);
            return;
        }

        if (_stopping)
        {
            context.Response.Headers.RetryAfter = "1";
            await RejectAsync(context, EngineIoError.Forbidden, "Server shutting down", StatusCodes.Status503ServiceUnavailable);
            return;
        }

        // Before any session state exists, and before a WebSocket is accepted.
        if (!_admission.TryAdmit(context.Connection.RemoteIpAddress, out var lease, out var refusal))
        {
            Log.Refused(_logger, context.Connection.RemoteIpAddress, refusal.Message);
            context.Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await RejectAsync(context, EngineIoError.Forbidden, refusal.Message, refusal.StatusCode);
            return;
        }

        var session = new EngineIoSocket(RandomIds.New(), protocol, EngineIoHandshake.From(context, headers), _application, _options, _time,
            _loggerFactory.CreateLogger<EngineIoSocket>(), lease, closed => _sessions.TryRemove(closed.Id, out _));
        _sessions[session.Id] = session;
        Log.Opened(_logger, session.Id, protocol, transport);

        if (transport == EngineTransportKind.WebSocket)
        {
            await _webSocket.OpenAsync(context, session);
        }
        else
        {
            session.Open(EngineTransportKind.Polling);
            await _polling.PollAsync(context, session);
        }
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
