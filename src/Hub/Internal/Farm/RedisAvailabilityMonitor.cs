namespace EvolutionHub.Internal.Farm;

/// <summary>
/// Probes every second whether Redis takes the farm's writes, so that a node learns of a refusal (OOM, READONLY …) even
/// when no request meets it, and serves again by itself as soon as Redis takes writes again.
/// </summary>
internal sealed class RedisAvailabilityMonitor(RedisFarmConnection redis) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            await redis.ProbeWritesAsync();
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
