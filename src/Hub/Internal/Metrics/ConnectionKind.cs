using EvolutionHub.Bridge;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Metrics;

/// <summary>
/// How a hub connection reaches the node: <see cref="Protocol"/> <c>signalr</c> or <c>socketio</c>, and its
/// <see cref="Transport"/> (<c>websocket</c>, <c>sse</c>, <c>longpolling</c>). A Socket.IO connection's transport is the one
/// its Engine.IO session opened with: a session that starts on long-polling and upgrades keeps <c>longpolling</c>.
/// </summary>
internal readonly record struct ConnectionKind(string Protocol, string Transport)
{
    public const string SignalR = "signalr";
    public const string SocketIo = "socketio";

    private const string WebSocket = "websocket";
    private const string ServerSentEvents = "sse";
    private const string LongPolling = "longpolling";
    private const string Unknown = "unknown";

    public KeyValuePair<string, object?>[] Tags => [new("protocol", Protocol), new("transport", Transport)];

    public static ConnectionKind Of(HubCallerContext context)
    {
        if (context.Features.Get<ISocketIoFeature>() is { } socket)
        {
            var transport = socket.Query["transport"].ToString() switch
            {
                "websocket" => WebSocket,
                "polling" => LongPolling,
                _ => Unknown,
            };
            return new ConnectionKind(SocketIo, transport);
        }

        return new ConnectionKind(SignalR, context.Features.Get<IHttpTransportFeature>()?.TransportType switch
        {
            HttpTransportType.WebSockets => WebSocket,
            HttpTransportType.ServerSentEvents => ServerSentEvents,
            HttpTransportType.LongPolling => LongPolling,
            _ => Unknown,
        });
    }
}
