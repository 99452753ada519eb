using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal;

/// <summary>Sends one event to its instance's listeners (through the instance's filter) and, when enabled, to the global ones (unfiltered).</summary>
public sealed class EventFanOut(
    IHubContext<EventsHub> hub, IInstanceStore store, IOptions<WebsocketOptions> websocket, HubMetrics metrics, TimeProvider time)
{
    public async Task SendAsync(HubEvent hubEvent, CancellationToken cancellationToken)
    {
        var settings = await store.GetSettingsAsync(hubEvent.Instance, cancellationToken);
        if (settings is null || settings.Allows(hubEvent.Name.Filter))
        {
            await hub.Clients.Group(HubGroups.Instance(hubEvent.Instance)).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken);
            metrics.EventSent();
        }

        if (websocket.Value.GlobalEvents)
        {
            await hub.Clients.Group(HubGroups.Global).SendAsync(hubEvent.Name.Wire, hubEvent.Envelope, cancellationToken);
            metrics.EventSent();
        }

        metrics.ObserveFanOut(time.GetElapsedTime(hubEvent.AcceptedAt));
    }
}
