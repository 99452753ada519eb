// Temporary: replaced by the real bridge.
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EvolutionHub.Bridge.Internal;

internal sealed class SocketIoHubProtocol : IHubProtocol
{
    public string Name => "socketio";
    public int Version => 1;
    public TransferFormat TransferFormat => TransferFormat.Text;
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => throw new NotImplementedException();
    public bool IsVersionSupported(int version) => version == 1;
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) => throw new NotImplementedException();
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => throw new NotImplementedException();
}

internal sealed class AcceptAllConnectHandler : ISocketIoConnectHandler
{
    public ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken) => ValueTask.FromResult(SocketIoConnectResult.Accept());
}

internal sealed class SocketIoHubFilter : IHubFilter
{
}

internal sealed class HubNamespaceConnector<THub>(IServiceProvider services) where THub : Hub
{
    public IServiceProvider Services { get; } = services;
}

internal sealed class EngineIoServer(object connector)
{
    public object Connector { get; } = connector;
    public Task HandleRequestAsync(HttpContext context) => throw new NotImplementedException();
}
