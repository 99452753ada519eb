using Microsoft.Extensions.Hosting;

namespace EvolutionHub.Bridge.Internal.SocketIO.Recovery;

/// <summary>
/// Refreshes the session records of this node's live sockets every quarter of the recovery window, all at once: if the
/// node dies without a word, its clients can still recover elsewhere within the window of its last refresh.
/// </summary>
internal sealed class LiveSocketRefresh(ConnectionStateRecovery recovery, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!recovery.Enabled || recovery.RefreshInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(recovery.RefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await recovery.RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
