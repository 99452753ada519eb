using EvolutionHub.Bridge.Internal.EngineIO;
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
    /// Serves Socket.IO (Engine.IO v4 and v3, WebSocket and long-polling) at <see cref="SocketIoOptions.Path"/>; every
    /// namespace connection becomes a connection of <typeparamref name="THub"/>. Requires <c>AddSignalR().AddSocketIo()</c>
    /// and <c>UseWebSockets()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSocketIo<THub>(this IEndpointRouteBuilder endpoints)
        where THub : Hub =>
        endpoints.MapSocketIo(namespaces => namespaces.MapFallbackNamespace<THub>());

    /// <summary>As <see cref="MapSocketIo{THub}(IEndpointRouteBuilder)"/>, at <paramref name="path"/>.</summary>
    public static IEndpointConventionBuilder MapSocketIo<THub>(this IEndpointRouteBuilder endpoints, string path)
        where THub : Hub =>
        endpoints.MapSocketIo(path, namespaces => namespaces.MapFallbackNamespace<THub>());

    /// <summary>
    /// Serves Socket.IO at <see cref="SocketIoOptions.Path"/> with a hub per namespace:
    /// <c>io => { io.MapNamespace&lt;ChatHub&gt;("/chat"); io.MapNamespace&lt;AdminHub&gt;("/admin"); }</c>. One client session
    /// may join namespaces of several hubs; a namespace no hub serves is refused with CONNECT_ERROR <c>Invalid namespace</c>.
    /// Requires <c>AddSignalR().AddSocketIo()</c> and <c>UseWebSockets()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSocketIo(this IEndpointRouteBuilder endpoints, Action<SocketIoNamespaceBuilder> configureNamespaces) =>
        endpoints.MapSocketIo(endpoints.ServiceProvider.GetRequiredService<IOptions<SocketIoOptions>>().Value.Path, configureNamespaces);

    /// <summary>As <see cref="MapSocketIo(IEndpointRouteBuilder, Action{SocketIoNamespaceBuilder})"/>, at <paramref name="path"/>.</summary>
    public static IEndpointConventionBuilder MapSocketIo(this IEndpointRouteBuilder endpoints, string path, Action<SocketIoNamespaceBuilder> configureNamespaces)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(configureNamespaces);
        var services = endpoints.ServiceProvider;
        var namespaces = new SocketIoNamespaceBuilder(services);
        configureNamespaces(namespaces);
        var application = ActivatorUtilities.CreateInstance<SocketIoServer>(services, namespaces.Build());
        return endpoints.MapEngineIo(path, application).WithDisplayName(namespaces.DisplayName);
    }

    /// <summary>Serves plain Engine.IO sessions at <paramref name="path"/>, handing their messages to <paramref name="application"/>.</summary>
    public static IEndpointConventionBuilder MapEngineIo(this IEndpointRouteBuilder endpoints, string path, EngineIoApplication application) =>
        endpoints.MapEngineIo(path, new EngineIoApplicationHandler(application));

    private static IEndpointConventionBuilder MapEngineIo(this IEndpointRouteBuilder endpoints, string path, IEngineIoSessionHandler application)
    {
        var services = endpoints.ServiceProvider;
        var server = ActivatorUtilities.CreateInstance<EngineIoServer>(services, application, services.GetService<TimeProvider>() ?? TimeProvider.System);
        return endpoints.Map(path.TrimEnd('/') + "/{**rest}", server.HandleRequestAsync).WithDisplayName("Engine.IO " + path);
    }
}
