using System.IO.Pipelines;
using System.Security.Claims;
using EvolutionHub.Bridge.Internal.SocketIO;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Serves Socket.IO namespaces with <typeparamref name="THub"/>: each socket is a connection of its <see cref="HubConnectionHandler{THub}"/>.</summary>
internal sealed class HubNamespaceConnector<THub>(IServiceProvider services, IOptions<SocketIoOptions> options, ILogger<HubNamespaceConnection> logger)
    : ISocketIoNamespace
    where THub : Hub
{
    private readonly HubConnectionHandler<THub> _handler = services.GetRequiredService<HubConnectionHandler<THub>>();

    // Client events wait for the hub once several maximum-size messages are pending: far above what a client that
    // waits for its acks sends, so a slow hub method does not stop the session's reads (and its heartbeat) early.
    private readonly PipeOptions _toHubPipeOptions = new(
        pauseWriterThreshold: Math.Max(64 * 1024, 4L * options.Value.MaxPayload),
        resumeWriterThreshold: Math.Max(32 * 1024, 2L * options.Value.MaxPayload),
        useSynchronizationContext: false);

    public async Task<(ISocketIoSocket? Socket, string? Error)> ConnectAsync(SocketIoFeature handshake, ClaimsPrincipal user,
        IReadOnlyDictionary<object, object?>? items, SocketIoSocketOutput output, SocketIoAcks acks)
    {
        var connection = new HubNamespaceConnection(handshake, user, items, output, acks, _toHubPipeOptions, logger);
        var error = await connection.StartAsync(_handler);
        return error is null ? (connection, null) : (null, error);
    }
}
