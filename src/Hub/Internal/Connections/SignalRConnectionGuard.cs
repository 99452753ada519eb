using System.IO.Pipelines;
using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// Runs around every SignalR connection of <c>/hubs/events</c>, before the hub sees it: counts it against its address's
/// <c>Limits:MaxConnectionsPerAddress</c> (the authentication middleware refuses a negotiate over it with 429; this catches
/// the connections that raced past that check) and gives it a <see cref="BoundedConnectionOutput"/>.
/// </summary>
internal sealed partial class SignalRConnectionGuard(
    ConnectionsPerAddress connections, IOptions<SignalROptions> options, HubMetrics metrics, ILogger<SignalRConnectionGuard> logger)
{
    public async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var address = connection.GetHttpContext()?.Connection.RemoteIpAddress;
        if (!connections.TryAdd(address))
        {
            Log.TooManyConnections(logger, connection.ConnectionId);
            connection.Abort(new ConnectionAbortedException("Too many connections from this address."));
            return;
        }

        var transport = connection.Transport;
        var output = new BoundedConnectionOutput(transport.Output, options.Value.MaxBufferedBytes, () =>
        {
            Log.TooSlow(logger, connection.ConnectionId, options.Value.MaxBufferedBytes);
            metrics.SlowConsumerDisconnected();
            connection.Abort(new ConnectionAbortedException($"The client is too slow: more than SignalR:MaxBufferedBytes ({options.Value.MaxBufferedBytes}) waited for it."));
        });
        connection.Transport = new DuplexPipe(transport.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            // What is queued still goes out; the pump ends by itself, with the transport at the latest.
            output.Complete();
            connections.Remove(address);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
