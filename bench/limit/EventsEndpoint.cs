using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// <c>POST /api/events</c> with header <c>apikey</c> and one envelope or an array of them: each event becomes its
/// Socket.IO frame <c>42/{instance},["{event}",{envelope}]</c>, serialised once, and is answered
/// <c>202 {"accepted":n}</c> once queued for the broadcast.
/// </summary>
public sealed class EventsEndpoint(string apiKey, Broadcaster broadcaster)
{
    public async Task PublishAsync(HttpContext context)
    {
        if (context.Request.Headers["apikey"] != apiKey)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using (body)
        {
            var envelopes = body.RootElement.ValueKind == JsonValueKind.Array ? [.. body.RootElement.EnumerateArray()] : new[] { body.RootElement };
            if (!envelopes.All(IsEnvelope))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            foreach (var envelope in envelopes)
            {
                var instance = envelope.GetProperty("instance").GetString()!;
                broadcaster.Accept(new Broadcaster.Frame("/" + instance, EventFrame(instance, envelope)));
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.WriteAsJsonAsync(new Accepted(envelopes.Length), AcceptedJsonContext.Default.Accepted);
        }
    }

    private static bool IsEnvelope(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String
        && element.TryGetProperty("instance", out var instance) && instance.ValueKind == JsonValueKind.String;

    /// <summary>The frame with the contract's envelope fields: event (lower case), instance, data, server_url, date_time, sender.</summary>
    private static byte[] EventFrame(string instance, JsonElement envelope)
    {
        var eventName = envelope.GetProperty("event").GetString()!.ToLowerInvariant();
        var buffer = new ArrayBufferWriter<byte>(1024);
        buffer.Write(Encoding.UTF8.GetBytes($"42/{instance},"));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(eventName);
            writer.WriteStartObject();
            writer.WriteString("event", eventName);
            writer.WriteString("instance", instance);
            WriteCopied(writer, envelope, "data");
            WriteCopied(writer, envelope, "server_url");
            if (envelope.TryGetProperty("date_time", out var dateTime) && dateTime.ValueKind == JsonValueKind.String)
            {
                writer.WritePropertyName("date_time");
                dateTime.WriteTo(writer);
            }
            else
            {
                writer.WriteString("date_time", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            }

            WriteCopied(writer, envelope, "sender");
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The envelope's property as given, or null when absent.</summary>
    private static void WriteCopied(Utf8JsonWriter writer, JsonElement envelope, string name)
    {
        writer.WritePropertyName(name);
        if (envelope.TryGetProperty(name, out var value))
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

internal sealed record Accepted([property: JsonPropertyName("accepted")] int Count);

[JsonSerializable(typeof(Accepted))]
internal sealed partial class AcceptedJsonContext : JsonSerializerContext;
