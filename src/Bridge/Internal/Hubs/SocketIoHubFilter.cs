using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// Tells the bridge when a Socket.IO connection's <c>OnConnectedAsync</c> has finished (or failed), so that the
/// client's CONNECT is answered only once the hub has set the connection up (its groups included); and answers a
/// SignalR client's invocation of a method that returned <see cref="SocketIoAck.None"/> with null.
/// </summary>
internal sealed class SocketIoHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var result = await next(invocationContext);
        return result is SocketIoAck && invocationContext.Context.Features.Get<HubConnectedFeature>() is null ? null : result;
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var feature = context.Context.Features.Get<HubConnectedFeature>();
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            feature?.Connected.TrySetException(ex);
            throw;
        }

        feature?.Connected.TrySetResult();
    }
}
