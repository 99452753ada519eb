using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>Socket.IO on top of Engine.IO: one <see cref="SocketIoClient"/> per session.</summary>
internal sealed class SocketIoServer(
    SocketIoNamespaces namespaces,
    ISocketIoConnectHandler connectHandler,
    ConnectionStateRecovery recovery,
    IServiceProvider services,
    IOptions<SocketIoOptions> options,
    TimeProvider time,
    ILogger<SocketIoClient> logger) : IEngineIoSessionHandler
{
    public ValueTask OnOpenAsync(IEngineIoSession session)
    {
        var client = new SocketIoClient(session, namespaces, connectHandler, recovery, services, options.Value, time, logger);
        session.State = client;
        return client.OpenAsync();
    }

    public ValueTask OnMessageAsync(IEngineIoSession session, ReadOnlyMemory<byte> data, bool isBinary) =>
        ((SocketIoClient)session.State!).ReceiveAsync(data, isBinary);

    public ValueTask OnHeartbeatAsync(IEngineIoSession session) =>
        ((SocketIoClient)session.State!).KeepAliveAsync();

    public void OnClose(IEngineIoSession session, string reason) =>
        (session.State as SocketIoClient)?.Close(reason);
}
