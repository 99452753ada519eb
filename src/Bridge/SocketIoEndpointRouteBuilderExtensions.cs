using EvolutionHub.Bridge.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge;

public static class SocketIoEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves Socket.IO (Engine.IO v4 and v3, WebSocket and long-polling) at <paramref name="path"/>
    /// (default <see cref="SocketIoOptions.Path"/>); every namespace connection becomes a connection of <typeparamref name="THub"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapSocketIo<THub>(this IEndpointRouteBuilder endpoints, string? path = null)
        where THub : Hub
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<SocketIoOptions>>().Value;
        var server = ActivatorUtilities.CreateInstance<EngineIoServer>(
            endpoints.ServiceProvider,
            new HubNamespaceConnector<THub>(endpoints.ServiceProvider));
        var pattern = (path ?? options.Path).TrimEnd('/');
        return endpoints.Map(pattern + "/{**rest}", server.HandleRequestAsync)
            .WithDisplayName("Socket.IO " + typeof(THub).Name);
    }
}
