namespace EvolutionHub.Bridge.Internal;

/// <summary>The default <see cref="ISocketIoConnectHandler"/>: every namespace is open to everyone.</summary>
internal sealed class AcceptAllConnectHandler : ISocketIoConnectHandler
{
    public ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SocketIoConnectResult.Accept());
}
