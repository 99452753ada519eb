using System.Security.Claims;
using EvolutionHub.Bridge.Internal.EngineIO;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Connects Socket.IO namespaces to <typeparamref name="THub"/> through its <see cref="HubConnectionHandler{THub}"/>.</summary>
internal sealed class HubNamespaceConnector<THub>(IServiceProvider services, ILogger<HubNamespaceConnection> logger) : IHubNamespaceConnector
    where THub : Hub
{
    private readonly HubConnectionHandler<THub> _handler = services.GetRequiredService<HubConnectionHandler<THub>>();

    public async Task<(HubNamespaceConnection? Connection, string? Error)> ConnectAsync(EngineIoSocket engine, SocketIoFeature feature, ClaimsPrincipal user, IDictionary<object, object?> items)
    {
        var connection = new HubNamespaceConnection(engine, feature, user, items, logger);
        var error = await connection.StartAsync(_handler);
        return error is null ? (connection, null) : (null, error);
    }
}
