using EvolutionHub.Bridge.Internal;
using EvolutionHub.Bridge.Internal.Hubs;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using EvolutionHub.Bridge.Internal.SocketIO;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EvolutionHub.Bridge;

/// <summary>Registers the Socket.IO bridge on a SignalR server.</summary>
public static class SocketIoSignalRServerBuilderExtensions
{
    /// <summary>
    /// Adds the Socket.IO bridge: Socket.IO namespace connections become hub connections speaking the
    /// <c>socketio</c> hub protocol, which only those connections can use. Map the endpoint with
    /// <see cref="SocketIoEndpointRouteBuilderExtensions.MapSocketIo{THub}(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)"/>.
    /// </summary>
    public static ISignalRServerBuilder AddSocketIo(this ISignalRServerBuilder builder, Action<SocketIoOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<SocketIoOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(service => service.ServiceType == typeof(SocketIoHubProtocol)))
        {
            return builder;
        }

        // Not an IHubProtocol of the container: SignalR clients are not offered it (SocketIoHubProtocolResolver).
        services.AddSingleton<SocketIoHubProtocol>();
        DecorateProtocolResolver(services);
        services.TryAddSingleton<ISocketIoConnectHandler, AcceptAllConnectHandler>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISocketIoSessionStore, MemorySocketIoSessionStore>();
        services.AddSingleton<ConnectionStateRecovery>();
        services.AddHostedService<RecoverySavesOnShutdown>();
        services.AddHostedService<LiveSocketRefresh>();
        services.Configure<HubOptions>(hub => hub.AddFilter<SocketIoHubFilter>());

        // A backplane serialises for the listed protocols: Socket.IO connections on other nodes need their bytes too.
        services.PostConfigureAll<HubOptions>(hub =>
        {
            if (hub.SupportedProtocols is { } protocols && !protocols.Contains(SocketIoHubProtocolResolver.BackplaneName))
            {
                protocols.Add(SocketIoHubProtocolResolver.BackplaneName);
            }
        });
        return builder;
    }

    private static void DecorateProtocolResolver(IServiceCollection services)
    {
        var inner = services.LastOrDefault(service => service.ServiceType == typeof(IHubProtocolResolver))
            ?? throw new InvalidOperationException("AddSocketIo() needs SignalR's services: call AddSignalR() first.");
        services.Remove(inner);
        services.AddSingleton<IHubProtocolResolver>(provider =>
            new SocketIoHubProtocolResolver(Create(provider, inner), provider.GetRequiredService<SocketIoHubProtocol>()));
    }

    private static IHubProtocolResolver Create(IServiceProvider provider, ServiceDescriptor descriptor) => (IHubProtocolResolver)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
