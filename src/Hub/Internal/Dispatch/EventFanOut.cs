using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>Sends one event to its instance's listeners (through the instance's filter) and, when enabled, to the global ones (unfiltered).</summary>
internal sealed class EventFanOut(
    IHubContext<EventsHub> hub, IInstanceStore store, IOptions<WebsocketOptions> websocket, HubMetrics metrics, TimeProvider time)
{
    /// <summary>The instance's filter: null when it never had settings.</summary>
    public ValueTask<WebsocketSettings?> SettingsOfAsync(HubEvent hubEvent, CancellationToken cancellationToken) =>
        store.GetSettingsAsync(hubEvent.Instance, cancellationToken);

    /// <summary>
    /// Hands the event to its groups before it returns, so events handed over one after another reach every client in
    /// that order (on a farm, the backplane's publishes leave in call order); the task completes once all have it.
    /// </summary>
    public Task SendAsync(HubEvent hubEvent, WebsocketSettings? settings, CancellationToken cancellationToken)
    {
        var toInstance = settings is null || settings.Allows(hubEvent.Name.Filter)
            ? hub.Clients.Group(HubGroups.Instance(hubEvent.Instance)).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken)
            : null;
        var toGlobal = websocket.Value.GlobalEvents
            ? hub.Clients.Group(HubGroups.Global).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken)
            : null;
        return CompleteAsync(hubEvent, toInstance, toGlobal);
    }

    private async Task CompleteAsync(HubEvent hubEvent, Task? toInstance, Task? toGlobal)
    {
        await Task.WhenAll(toInstance ?? Task.CompletedTask, toGlobal ?? Task.CompletedTask);
        if (toInstance is not null)
        {
            metrics.EventSent();
        }

        if (toGlobal is not null)
        {
            metrics.EventSent();
        }

        metrics.ObserveFanOut(time.GetElapsedTime(hubEvent.AcceptedAt));
    }
}
