using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// Writes a <see cref="JsonElement"/> as the MessagePack value of the same JSON: objects as maps, arrays as arrays, integers
/// as integers, other numbers as doubles. The JSON protocols keep the element's text, so an event's <c>data</c> crosses
/// every protocol without a detour through dictionaries and doubles: the numbers pass through unchanged. Read back, a
/// MessagePack value becomes the JSON that SignalR's <c>object</c> binding would have serialized it as (a float32 as its
/// shortest text, a timestamp as an ISO 8601 string, bytes as base64).
/// </summary>
internal sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
{
    public static JsonElementFormatter Instance { get; } = new();

    /// <summary><paramref name="options"/> with this formatter in front of its resolver.</summary>
    public static MessagePackSerializerOptions AddTo(MessagePackSerializerOptions options) =>
        options.WithResolver(CompositeResolver.Create([Instance], [options.Resolver]));

    public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteMapHeader(value.EnumerateObject().Count());
                foreach (var property in value.EnumerateObject())
                {
                    writer.Write(property.Name);
                    Serialize(ref writer, property.Value, options);
                }

                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    Serialize(ref writer, item, options);
                }

                break;
            case JsonValueKind.String:
                writer.Write(value.GetString());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var integer):
                writer.Write(integer);
                break;
            case JsonValueKind.Number when value.TryGetUInt64(out var unsigned):
                writer.Write(unsigned);
                break;
            case JsonValueKind.Number:
                writer.Write(value.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Read(ref reader, json, options);
        }

        // Parsed once, not cloned: the element keeps its document (never disposed, as the HTTP body's are not), which keeps
        // the buffer; both go to the garbage collector with the element.
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement;
    }

    private static void Read(ref MessagePackReader reader, Utf8JsonWriter json, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        try
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Map:
                    var properties = reader.ReadMapHeader();
                    json.WriteStartObject();
                    for (var i = 0; i < properties; i++)
                    {
                        json.WritePropertyName(ReadKey(ref reader, options));
                        Read(ref reader, json, options);
                    }

                    json.WriteEndObject();
                    break;
                case MessagePackType.Array:
                    var items = reader.ReadArrayHeader();
                    json.WriteStartArray();
                    for (var i = 0; i < items; i++)
                    {
                        Read(ref reader, json, options);
                    }

                    json.WriteEndArray();
                    break;
                case MessagePackType.String:
                    json.WriteStringValue(reader.ReadString());
                    break;
                case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                    json.WriteNumberValue(reader.ReadUInt64());
                    break;
                case MessagePackType.Integer:
                    json.WriteNumberValue(reader.ReadInt64());
                    break;
                case MessagePackType.Float when reader.NextCode == MessagePackCode.Float32:
                    json.WriteNumberValue(reader.ReadSingle());
                    break;
                case MessagePackType.Float:
                    json.WriteNumberValue(reader.ReadDouble());
                    break;
                case MessagePackType.Boolean:
                    json.WriteBooleanValue(reader.ReadBoolean());
                    break;
                case MessagePackType.Binary:
                    json.WriteBase64StringValue(reader.ReadBytes()!.Value.ToArray());
                    break;
                case MessagePackType.Extension when reader.CreatePeekReader().ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime:
                    json.WriteStringValue(reader.ReadDateTime());
                    break;
                default:
                    reader.Skip();
                    json.WriteNullValue();
                    break;
            }
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static string ReadKey(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString() ?? ""
            : Convert.ToString(options.Resolver.GetFormatterWithVerify<object>().Deserialize(ref reader, options), CultureInfo.InvariantCulture) ?? "";
}
