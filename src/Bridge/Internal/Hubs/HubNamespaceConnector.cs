using System.Security.Claims;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.SocketIO;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.IO.Pipelines;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Connects Socket.IO namespaces to <typeparamref name="THub"/> through its <see cref="HubConnectionHandler{THub}"/>.</summary>
internal sealed class HubNamespaceConnector<THub>(IServiceProvider services, IOptions<SocketIoOptions> options, ILogger<HubNamespaceConnection> logger)
    : IHubNamespaceConnector
    where THub : Hub
{
    private readonly HubConnectionHandler<THub> _handler = services.GetRequiredService<HubConnectionHandler<THub>>();
    private readonly NamespaceEncoders _encoders = new();

    // Client events wait for the hub once several maximum-size messages are pending: far above what a client that
    // waits for its acks sends, so a slow hub method does not stop the session's reads (and its heartbeat) early.
    private readonly PipeOptions _toHubPipeOptions = new(
        pauseWriterThreshold: Math.Max(64 * 1024, 4L * options.Value.MaxPayload),
        resumeWriterThreshold: Math.Max(32 * 1024, 2L * options.Value.MaxPayload),
        useSynchronizationContext: false);

    public async Task<(HubNamespaceConnection? Connection, string? Error)> ConnectAsync(EngineIoSocket engine, SocketIoFeature feature, ClaimsPrincipal user,
        IReadOnlyDictionary<object, object?>? items, PendingAcks pendingAcks)
    {
        var connection = new HubNamespaceConnection(engine, feature, user, items, pendingAcks, _encoders, _toHubPipeOptions, logger);
        var error = await connection.StartAsync(_handler);
        return error is null ? (connection, null) : (null, error);
    }
}
