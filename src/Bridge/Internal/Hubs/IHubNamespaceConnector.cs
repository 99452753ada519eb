using System.Security.Claims;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.SocketIO;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Creates the hub connection behind a Socket.IO namespace connection.</summary>
internal interface IHubNamespaceConnector
{
    Task<(HubNamespaceConnection? Connection, string? Error)> ConnectAsync(EngineIoSocket engine, SocketIoFeature feature, ClaimsPrincipal user,
        IReadOnlyDictionary<object, object?>? items, PendingAcks pendingAcks);
}
