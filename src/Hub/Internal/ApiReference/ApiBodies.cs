using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvolutionHub.Internal.Dashboard;
using EvolutionHub.Internal.Instances;

namespace EvolutionHub.Internal.ApiReference;

// The shapes of the bodies the HTTP API reads and writes by hand, for its OpenAPI document only: the handlers read
// their bodies themselves (size limits, the key checked first, one parse) and answer with the same field names.

[Description("An event to publish. Unknown fields are ignored.")]
internal sealed record EventEnvelope(
    [property: JsonPropertyName("event"), Description("Evolution's wire name (messages.upsert), filter name (MESSAGES_UPSERT) or webhook slug (messages-upsert).")]
    string Event,
    [property: JsonPropertyName("instance"), Description("The instance: " + InstanceNames.Rule + ".")]
    string Instance,
    [property: JsonPropertyName("data"), Description("Passed to the clients as is.")]
    JsonElement? Data = null,
    [property: JsonPropertyName("server_url")] string? ServerUrl = null,
    [property: JsonPropertyName("date_time"), Description("When absent, the time the hub accepted the event.")]
    string? DateTime = null,
    [property: JsonPropertyName("sender")] string? Sender = null,
    [property: JsonPropertyName("apikey"), Description("Forwarded to the clients only with Websocket:ForwardApiKey.")]
    string? ApiKey = null);

[Description("Evolution API's webhook body. Its event wins over the route's slug; destination is dropped.")]
internal sealed record WebhookBody(
    [property: JsonPropertyName("instance"), Description("The instance: " + InstanceNames.Rule + ".")]
    string Instance,
    [property: JsonPropertyName("event"), Description("The event's name; when absent, the route's slug.")]
    string? Event = null,
    [property: JsonPropertyName("data"), Description("Passed to the clients as is.")]
    JsonElement? Data = null,
    [property: JsonPropertyName("destination")] string? Destination = null,
    [property: JsonPropertyName("date_time")] string? DateTime = null,
    [property: JsonPropertyName("sender")] string? Sender = null,
    [property: JsonPropertyName("server_url")] string? ServerUrl = null,
    [property: JsonPropertyName("apikey"), Description("The global key or the instance's token, when the apikey header does not carry the global key.")]
    string? ApiKey = null);

[Description("An instance's websocket settings, as Evolution API's /websocket/set takes them.")]
internal sealed record WebsocketSettingsBody(
    [property: JsonPropertyName("websocket")] WebsocketSettingsFields Websocket);

internal sealed record WebsocketSettingsFields(
    [property: JsonPropertyName("enabled"), Description("Disabled stores no events.")]
    bool Enabled,
    [property: JsonPropertyName("events"), Description("Filter names such as MESSAGES_UPSERT; empty or absent while enabled means all of them.")]
    IReadOnlyList<string>? Events = null);

[Description("The token that reaches this instance only.")]
internal sealed record InstanceTokenBody(
    [property: JsonPropertyName("token"), Description("At least Authentication:MinTokenLength characters; not the global key.")]
    string Token);

internal sealed record AcceptedEvents([property: JsonPropertyName("accepted"), Description("How many events were published.")] int Accepted);

internal sealed record RegisteredInstance([property: JsonPropertyName("name")] string Name);

internal sealed record InstanceConnections(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connections"), Description("Its Socket.IO namespace connections plus SignalR subscriptions, on every node.")]
    int Connections);

internal sealed record DashboardEvents(
    [property: JsonPropertyName("last"), Description("The number of the last event this node accepted; pass it as after.")]
    long Last,
    [property: JsonPropertyName("events")] IReadOnlyList<FeedEntry> Events);
