using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.Hubs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>Socket.IO on top of Engine.IO: one <see cref="SocketIoClient"/> per session.</summary>
internal sealed class SocketIoServer(
    HubNamespaceRoutes routes,
    ISocketIoConnectHandler connectHandler,
    IServiceProvider services,
    IOptions<SocketIoOptions> options,
    TimeProvider time,
    ILogger<SocketIoClient> logger) : EngineIoApplication
{
    public override ValueTask OnOpenAsync(IEngineIoConnection connection)
    {
        var client = new SocketIoClient((EngineIoSocket)connection, routes, connectHandler, services, options.Value, time, logger);
        connection.State = client;
        return client.OpenAsync();
    }

    public override ValueTask OnMessageAsync(IEngineIoConnection connection, ReadOnlyMemory<byte> data, bool isBinary) =>
        ((SocketIoClient)connection.State!).ReceiveAsync(data, isBinary);

    public override ValueTask OnHeartbeatAsync(IEngineIoConnection connection) =>
        ((SocketIoClient)connection.State!).KeepAliveAsync();

    public override void OnClose(IEngineIoConnection connection, string reason) =>
        (connection.State as SocketIoClient)?.Close();
}
