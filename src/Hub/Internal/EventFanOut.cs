using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>Sends one event to its instance's listeners (through the instance's filter) and, when enabled, to the global ones (unfiltered).</summary>
public sealed class EventFanOut(
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
        var toInstance = Task.CompletedTask;
        var toGlobal = Task.CompletedTask;
        if (settings is null || settings.Allows(hubEvent.Name.Filter))
        {
            toInstance = hub.Clients.Group(HubGroups.Instance(hubEvent.Instance)).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken);
            metrics.EventSent();
        }

        if (websocket.Value.GlobalEvents)
        {
            toGlobal = hub.Clients.Group(HubGroups.Global).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken);
            metrics.EventSent();
        }

        return CompleteAsync(toInstance, toGlobal, hubEvent);
    }

    private async Task CompleteAsync(Task toInstance, Task toGlobal, HubEvent hubEvent)
    {
        await toInstance;
        await toGlobal;
        metrics.ObserveFanOut(time.GetElapsedTime(hubEvent.AcceptedAt));
    }
}
