using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using EvolutionHub.Internal.Instances;

namespace EvolutionHub.Internal.Ingest;

/// <summary>An event as a publisher wrote it: an envelope of <c>/api/events</c> or SignalR <c>Publish</c>, or a webhook body.</summary>
internal sealed record IncomingEvent(
    string Event, string Instance, JsonElement? Data, string? ServerUrl, string? DateTime, string? Sender, string? ApiKey)
{
    /// <summary>Reads one event object; <paramref name="defaultEvent"/> names it when the body has no <c>event</c> (the webhook slug).</summary>
    public static bool TryRead(JsonElement body, string? defaultEvent, [NotNullWhen(true)] out IncomingEvent? incoming, [NotNullWhen(false)] out string? error)
    {
        incoming = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "An event must be a JSON object.";
            return false;
        }

        if (!TryGetString(body, "event", out var name, out error)
            || !TryGetString(body, "instance", out var instance, out error)
            || !TryGetString(body, "server_url", out var serverUrl, out error)
            || !TryGetString(body, "date_time", out var dateTime, out error)
            || !TryGetString(body, "sender", out var sender, out error)
            || !TryGetString(body, "apikey", out var apiKey, out error))
        {
            return false;
        }

        name = string.IsNullOrWhiteSpace(name) ? defaultEvent : name;
        if (string.IsNullOrWhiteSpace(name))
        {
            error = "The event has no name: set \"event\".";
            return false;
        }

        if (!InstanceNames.IsValid(instance))
        {
            error = $"\"instance\" must be {InstanceNames.Rule}.";
            return false;
        }

        // The element itself, not a copy: the document it belongs to lives as long as the event refers to it.
        JsonElement? data = body.TryGetProperty("data", out var value) ? value : null;
        incoming = new IncomingEvent(name.Trim(), instance!, data, serverUrl, dateTime, sender, apiKey);
        return true;
    }

    private static bool TryGetString(JsonElement body, string property, out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (!body.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"\"{property}\" must be a string.";
            return false;
        }

        try
        {
            value = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            // Bytes that are not UTF-8 inside the string (a document parsed from elsewhere than a checked body).
            error = $"\"{property}\" must be a string of UTF-8 text.";
            return false;
        }
    }
}
