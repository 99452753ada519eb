using EvolutionHub.Internal.Ingest;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Instances;

/// <summary>
/// Registers the instances listed under <c>Instances</c> in configuration: a token or settings that the store does not hold
/// yet are stored; what the HTTP API changed since stays as it is. A store that cannot be reached at start-up (Redis down)
/// does not stop the node: registering is retried in the background until it succeeds.
/// </summary>
internal sealed partial class ConfiguredInstancesSeeder(
    IOptions<Dictionary<string, ConfiguredInstance>> instances, IInstanceStore store, ILogger<ConfiguredInstancesSeeder> logger) : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private Task _retrying = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreUnavailable(logger, ex);
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retrying;
    }

    private async Task RetryAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryDelay, stopping);
                await SeedAsync(stopping);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.StoreUnavailable(logger, ex);
            }
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, instance) in instances.Value)
        {
            if (!InstanceNames.IsValid(name))
            {
                Log.InvalidName(logger, name);
                continue;
            }

            if (!string.IsNullOrEmpty(instance.Token) && await store.GetTokenAsync(name, cancellationToken) is null
                && await store.SetTokenAsync(name, instance.Token, cancellationToken) == TokenChange.Conflict)
            {
                Log.TokenConflict(logger, name);
            }

            if (instance.Websocket is { } websocket && await store.GetSettingsAsync(name, cancellationToken) is null)
            {
                var events = websocket.Events.Select(EvolutionEvents.ParseFilterName).ToArray();
                if (events.Any(filterName => filterName is null))
                {
                    Log.UnknownFilterName(logger, name);
                    continue;
                }

                await store.SetSettingsAsync(name, WebsocketSettings.Create(websocket.Enabled, events!), cancellationToken);
            }
        }
    }
}
