using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>Tells <see cref="NodeConnections"/> each connection's protocol before the hub's OnConnectedAsync subscribes it to anything.</summary>
internal sealed class NodeConnectionsHubFilter(NodeConnections connections) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var connectionId = context.Context.ConnectionId;
        connections.Opened(connectionId, ConnectionKind.Of(context.Context));
        try
        {
            await next(context);
        }
        catch
        {
            // A failed connect gets no OnDisconnectedAsync.
            connections.Closed(connectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            connections.Closed(context.Context.ConnectionId);
        }
    }
}
