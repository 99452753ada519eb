using StackExchange.Redis;

namespace EvolutionHub;

/// <summary>Runs a built node until it stops and says how it ended, as the process's exit code.</summary>
public static class EvolutionHubHost
{
    /// <summary>Runs <paramref name="host"/>; returns the exit code of the process.</summary>
    public static async Task<int> RunAsync(IHost host)
    {
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        try
        {
            await host.RunAsync();
        }
        catch (Exception exception) when ((exception is RedisException or RedisTimeoutException) && stopping.IsCancellationRequested)
        {
            // Told to stop, the node did; only letting go of a Redis that no longer answers failed (SignalR's backplane
            // unsubscribes synchronously on dispose). What it leaves in Redis expires by itself: a clean stop all the same.
            Console.Error.WriteLine($"EvolutionHub stopped; Redis did not answer while the node let go of it: {exception.Message}");
        }

        return 0;
    }
}
