using EvolutionHub.Bridge;

namespace EvolutionHub.Internal.Metrics;

/// <summary>Counts the namespace CONNECTs refused for their credential (<c>connect_error</c> "Unauthorized").</summary>
internal sealed class CountingSocketIoConnectHandler(ISocketIoConnectHandler inner, HubMetrics metrics) : ISocketIoConnectHandler
{
    private const string UnauthorizedMessage = "Unauthorized";

    public async ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken)
    {
        var result = await inner.OnConnectAsync(context, cancellationToken);
        if (result.Error is SocketIoError { Message: UnauthorizedMessage })
        {
            metrics.AuthenticationFailed(ConnectionKind.SocketIo);
        }

        return result;
    }
}
