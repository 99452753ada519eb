using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.Hubs;
using EvolutionHub.Bridge.Internal.SocketIO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge;

/// <summary>Maps the Socket.IO and Engine.IO endpoints.</summary>
public static class SocketIoEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves Socket.IO (Engine.IO v4 and v3, WebSocket and long-polling) at <paramref name="path"/>
    /// (default <see cref="SocketIoOptions.Path"/>); every namespace connection becomes a connection of <typeparamref name="THub"/>.
    /// Requires <c>AddSignalR().AddSocketIo()</c> and <c>UseWebSockets()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSocketIo<THub>(this IEndpointRouteBuilder endpoints, string? path = null)
        where THub : Hub
    {
        var services = endpoints.ServiceProvider;
        var connector = ActivatorUtilities.CreateInstance<HubNamespaceConnector<THub>>(services);
        var application = ActivatorUtilities.CreateInstance<SocketIoServer>(services, connector);
        path ??= services.GetRequiredService<IOptions<SocketIoOptions>>().Value.Path;
        return endpoints.MapEngineIo(path, application).WithDisplayName("Socket.IO " + typeof(THub).Name);
    }

    /// <summary>Serves plain Engine.IO sessions at <paramref name="path"/>, handing their messages to <paramref name="application"/>.</summary>
    public static IEndpointConventionBuilder MapEngineIo(this IEndpointRouteBuilder endpoints, string path, EngineIoApplication application)
    {
        var services = endpoints.ServiceProvider;
        var server = ActivatorUtilities.CreateInstance<EngineIoServer>(services, application, services.GetService<TimeProvider>() ?? TimeProvider.System);
        return endpoints.Map(path.TrimEnd('/') + "/{**rest}", server.HandleRequestAsync).WithDisplayName("Engine.IO " + path);
    }
}
