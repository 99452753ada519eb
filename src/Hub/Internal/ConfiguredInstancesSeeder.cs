using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>
/// Registers the instances listed under <c>Instances</c> in configuration: a token or settings that the store does not hold
/// yet are stored; what the HTTP API changed since stays as it is.
/// </summary>
public sealed partial class ConfiguredInstancesSeeder(
    IOptions<Dictionary<string, ConfiguredInstance>> instances, IInstanceStore store, ILogger<ConfiguredInstancesSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
