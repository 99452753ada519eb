using EvolutionHub.Bridge.Internal;
using EvolutionHub.Bridge.Internal.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EvolutionHub.Bridge;

/// <summary>Registers the Socket.IO bridge on a SignalR server.</summary>
public static class SocketIoSignalRServerBuilderExtensions
{
    /// <summary>
    /// Adds the Socket.IO bridge: Socket.IO namespace connections become hub connections speaking the
    /// <c>socketio</c> hub protocol. Map the endpoint with <see cref="SocketIoEndpointRouteBuilderExtensions.MapSocketIo{THub}"/>.
    /// </summary>
    public static ISignalRServerBuilder AddSocketIo(this ISignalRServerBuilder builder, Action<SocketIoOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<SocketIoOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, SocketIoHubProtocol>());
        services.TryAddSingleton<ISocketIoConnectHandler, AcceptAllConnectHandler>();
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<HubOptions>(hub => hub.AddFilter<SocketIoHubFilter>());

        // An application that lists its protocols still needs this one for its Socket.IO connections.
        services.PostConfigureAll<HubOptions>(hub =>
        {
            if (hub.SupportedProtocols is { } protocols && !protocols.Contains(SocketIoHubProtocol.ProtocolName))
            {
                protocols.Add(SocketIoHubProtocol.ProtocolName);
            }
        });
        return builder;
    }
}
