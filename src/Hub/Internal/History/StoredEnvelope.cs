using System.Text.Json;
using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.History;

/// <summary>An event's envelope as a history outside the process stores it: its JSON, from which the event is rebuilt.</summary>
internal static class StoredEnvelope
{
    public static byte[] Write(HubEvent hubEvent) => JsonSerializer.SerializeToUtf8Bytes(hubEvent.Envelope);

    /// <summary>The event of a stored envelope; <paramref name="acceptedAt"/> is a <see cref="TimeProvider"/> timestamp.</summary>
    public static HubEvent Read(string instance, ReadOnlyMemory<byte> json, long acceptedAt)
    {
        using var document = JsonDocument.Parse(json);
        var envelope = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            // The JSON protocols write an element's text as it is, so data keeps its numbers digit for digit.
            envelope[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null
                : property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()
                : property.Value.Clone();
        }

        var name = EvolutionEvents.Normalize(envelope.GetValueOrDefault("event") as string ?? "");
        return new HubEvent(instance, name, envelope, acceptedAt);
    }
}
