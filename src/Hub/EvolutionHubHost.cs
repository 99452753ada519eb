using EvolutionHub.Internal.Startup;
using StackExchange.Redis;

namespace EvolutionHub;

/// <summary>
/// Runs a built node until it stops and says how it ended, as the process's exit code: 0 for a stop that was asked for
/// (SIGTERM, Ctrl+C), 1 when the node could not start (one line on stderr, no stack trace) or stopped because a background
/// service failed, so that a supervisor restarting on failure restarts it.
/// </summary>
public static class EvolutionHubHost
{
    public const int Failed = 1;

    /// <summary>
    /// A stopped node exits within 10 s (a rolling restart). Of those, the host's stop gets <see cref="ShutdownTimeout"/>:
    /// closing the clients' transports, the server's drain of requests in flight, delivering the events already accepted,
    /// handing the connection counts back to Redis (itself bounded at 2 s). What is still running then is abandoned.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(7);

    /// <summary>
    /// Then releasing the node's services gets this long: it only lets go of connections, but SignalR's Redis backplane
    /// unsubscribes synchronously, which a Redis that does not answer holds up for seconds. The process exits regardless.
    /// </summary>
    public static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Runs <paramref name="host"/>; returns the exit code of the process.</summary>
    public static async Task<int> RunAsync(IHost host)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = lifetime.ApplicationStopping;

        // The host stops itself after a background service failed; whether one had when the stop began tells that stop
        // from one that was asked for (a service failing later, on its way out, does not).
        BackgroundService[] faulted = [];
        using var whenStopping = stopping.Register(() =>
            faulted = [.. host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Where(service => service.ExecuteTask is { IsFaulted: true })]);
        try
        {
            try
            {
                await host.StartAsync();
                await host.WaitForShutdownAsync();
            }
            finally
            {
                await ReleaseAsync(host);
            }
        }
        catch (Exception exception) when ((exception is RedisException or RedisTimeoutException) && stopping.IsCancellationRequested)
        {
            // Told to stop, the node did; only letting go of a Redis that no longer answers failed. What it leaves in Redis
            // expires by itself: a clean stop all the same.
            Console.Error.WriteLine($"EvolutionHub stopped; Redis did not answer while the node let go of it: {exception.Message}");
        }
        catch (TimeoutException) when (stopping.IsCancellationRequested)
        {
            Console.Error.WriteLine($"EvolutionHub stopped; it did not finish letting go of its connections (Redis does not answer) within {ReleaseTimeout.TotalSeconds:F0} s, and exits all the same.");
        }
        catch (Exception exception) when (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // A busy port, an unreadable database…
            Console.Error.WriteLine(StartupFailure.Describe(exception));
            return Failed;
        }

        foreach (var service in faulted)
        {
            Console.Error.WriteLine($"EvolutionHub stopped because {service.GetType().Name} failed: {service.ExecuteTask!.Exception!.InnerException?.Message}");
        }

        return faulted.Length > 0 ? Failed : 0;
    }

    /// <summary>Disposes the host, on a thread of its own: a dispose that blocks cannot hold up the exit past <see cref="ReleaseTimeout"/>.</summary>
    private static Task ReleaseAsync(IHost host) =>
        Task.Run(async () =>
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }).WaitAsync(ReleaseTimeout);
}
