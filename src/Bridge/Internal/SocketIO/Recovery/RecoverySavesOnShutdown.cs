using Microsoft.Extensions.Hosting;

namespace EvolutionHub.Bridge.Internal.SocketIO.Recovery;

/// <summary>
/// Holds the host's shutdown until the sockets its sessions' close ended are saved (bounded by the host's shutdown
/// timeout): their clients reconnect to another node and recover there.
/// </summary>
internal sealed class RecoverySavesOnShutdown(ConnectionStateRecovery recovery) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recovery.WhenSavedAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout has the last word.
        }
    }
}
