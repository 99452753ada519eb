using EvolutionHub.Internal.Authentication;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Ingest;

/// <summary>Turns what a publisher sent into the envelope every client receives, once per event.</summary>
internal sealed class HubEventFactory(IOptions<WebsocketOptions> websocket, IOptions<ApiKeyOptions> keys, TimeProvider time)
{
    public HubEvent Create(IncomingEvent incoming)
    {
        var name = EvolutionEvents.Normalize(incoming.Event);
        var envelope = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["event"] = name.Wire,
            ["instance"] = incoming.Instance,
            // The publisher's JSON as it came (a JsonElement): its numbers reach clients digit for digit.
            ["data"] = incoming.Data,
            ["server_url"] = incoming.ServerUrl,
            ["date_time"] = incoming.DateTime ?? time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["sender"] = incoming.Sender,
        };
        if (websocket.Value.ForwardApiKey)
        {
            // A publisher may authenticate with the global key in the body; instance clients must never receive it.
            envelope["apikey"] = SecretComparer.Equal(keys.Value.ApiKey, incoming.ApiKey) ? null : incoming.ApiKey;
        }

        return new HubEvent(incoming.Instance, name, envelope, time.GetTimestamp());
    }
}
