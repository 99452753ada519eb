using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Diagnostics;

/// <summary>
/// A hub method cancelled because its client left (an inbound forward still pending when the socket closed) is no
/// error: nobody is left to receive its result, so it ends quietly instead of SignalR logging a failure with a stack trace.
/// </summary>
internal sealed class DisconnectedClientHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (OperationCanceledException) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            return null;
        }
    }
}
