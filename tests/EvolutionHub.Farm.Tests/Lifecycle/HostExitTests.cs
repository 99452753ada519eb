using EvolutionHub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Farm.Tests.Lifecycle;

/// <summary>
/// How a node's process ends: an orchestrator restarts a node that failed (<c>restart: on-failure</c>) only if it exits
/// non-zero, and must not restart one it stopped. <see cref="EvolutionHubHost"/> is what <c>Program</c> runs the node with.
/// </summary>
public sealed class HostExitTests
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_background_service_that_faults_stops_the_node_with_a_non_zero_exit_code()
    {
        using var host = Build<FaultingService>();
        var exitCode = await EvolutionHubHost.RunAsync(host).WithTimeout(StopTimeout, "the host to stop after its background service faulted");
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task A_requested_stop_exits_with_0()
    {
        using var host = Build<StoppingService>();
        var exitCode = await EvolutionHubHost.RunAsync(host).WithTimeout(StopTimeout, "the host to stop when asked");
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_background_service_that_faults_while_the_node_stops_does_not_change_a_requested_stop()
    {
        using var host = Build<FaultingOnStopService>();
        var exitCode = await EvolutionHubHost.RunAsync(host).WithTimeout(StopTimeout, "the host to stop when asked");
        Assert.Equal(0, exitCode);
    }

    private static IHost Build<TService>()
        where TService : class, IHostedService
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHostedService<TService>();
        return builder.Build();
    }

    private sealed class FaultingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("A background service fails.");
        }
    }

    /// <summary>Asks the host to stop, as SIGTERM does through the console lifetime.</summary>
    private sealed class StoppingService(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            lifetime.StopApplication();
        }
    }

    /// <summary>Asks the host to stop, then fails on its way out.</summary>
    private sealed class FaultingOnStopService(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            lifetime.StopApplication();
            await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new InvalidOperationException("A background service fails while the host stops.");
        }
    }
}
