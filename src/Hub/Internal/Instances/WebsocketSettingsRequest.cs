using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Instances;

/// <summary>Reads Evolution API's <c>/websocket/set</c> body: <c>{"websocket":{"enabled":true,"events":["MESSAGES_UPSERT"]}}</c>.</summary>
internal static class WebsocketSettingsRequest
{
    public static bool TryParse(JsonElement body, [NotNullWhen(true)] out WebsocketSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("websocket", out var websocket)
            || websocket.ValueKind != JsonValueKind.Object
            || !websocket.TryGetProperty("enabled", out var enabled)
            || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = "Expected {\"websocket\":{\"enabled\":true|false,\"events\":[\"MESSAGES_UPSERT\", …]}}.";
            return false;
        }

        List<string> events = [];
        if (websocket.TryGetProperty("events", out var names) && names.ValueKind != JsonValueKind.Null)
        {
            if (names.ValueKind != JsonValueKind.Array || names.EnumerateArray().Any(name => name.ValueKind != JsonValueKind.String))
            {
                error = "websocket.events must be an array of event filter names.";
                return false;
            }

            var unknown = new List<string>();
            foreach (var name in names.EnumerateArray().Select(name => name.GetString()!))
            {
                if (EvolutionEvents.ParseFilterName(name) is { } filterName)
                {
                    events.Add(filterName);
                }
                else
                {
                    unknown.Add(name);
                }
            }

            if (unknown.Count > 0)
            {
                error = $"Unknown event filter names: {string.Join(", ", unknown)}. Use the names of Evolution API's table, e.g. MESSAGES_UPSERT.";
                return false;
            }
        }

        settings = WebsocketSettings.Create(enabled.GetBoolean(), events);
        error = null;
        return true;
    }
}
