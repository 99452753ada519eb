using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EvolutionHub.Bridge.Internal.Hubs.Protocol;

/// <summary>
/// Socket.IO binary attachments during one (synchronous) serialization: <c>byte[]</c> values are written as
/// <c>{"_placeholder":true,"num":n}</c> with their bytes collected, and placeholders are read back from the packet's
/// attachments, each at most once: a packet never costs more than the bytes it brought.
/// </summary>
internal sealed class BinaryAttachments
{
    [ThreadStatic]
    private static BinaryAttachments? t_pooled;

    [ThreadStatic]
    private static BinaryAttachments? t_current;

    private readonly List<ReadOnlyMemory<byte>> _written = [];
    private IReadOnlyList<ReadOnlySequence<byte>> _received = [];
    private bool[] _taken = [];
    private bool _writing;

    public static BinaryAttachments? Current => t_current;

    /// <summary>The scope collecting the attachments of a packet being written; null while reading one.</summary>
    public static BinaryAttachments? CurrentWrite => t_current is { _writing: true } current ? current : null;

    public IReadOnlyList<ReadOnlyMemory<byte>> Written => _written;

    /// <summary>Makes this instance the current one on this thread, for writing.</summary>
    public static BinaryAttachments BeginWrite() => Begin([], writing: true);

    public static BinaryAttachments BeginRead(IReadOnlyList<ReadOnlySequence<byte>> received) => Begin(received, writing: false);

    /// <summary>Ends the scope begun on this thread.</summary>
    public static void End()
    {
        t_current!._written.Clear();
        t_current._received = [];
        t_current = null;
    }

    private static BinaryAttachments Begin(IReadOnlyList<ReadOnlySequence<byte>> received, bool writing)
    {
        var attachments = t_pooled ??= new BinaryAttachments();
        attachments._received = received;
        attachments._writing = writing;
        if (attachments._taken.Length < received.Count)
        {
            attachments._taken = new bool[received.Count];
        }

        Array.Clear(attachments._taken, 0, received.Count);
        t_current = attachments;
        return attachments;
    }

    public int Add(ReadOnlyMemory<byte> bytes)
    {
        _written.Add(bytes);
        return _written.Count - 1;
    }

    /// <summary>The bytes of attachment <paramref name="num"/>; a second reference to it is an error, not a second copy.</summary>
    public byte[] Get(int num)
    {
        if (num < 0 || num >= _received.Count)
        {
            throw new JsonException($"no binary attachment {num}");
        }

        if (_taken[num])
        {
            throw new JsonException($"binary attachment {num} is referenced twice");
        }

        _taken[num] = true;
        return _received[num].ToArray();
    }

    public static bool IsPlaceholder(JsonObject node, out int num)
    {
        num = -1;
        return node.Count == 2
            && node.TryGetPropertyValue("_placeholder", out var flag) && flag is JsonValue f && f.TryGetValue(out bool isPlaceholder) && isPlaceholder
            && node.TryGetPropertyValue("num", out var n) && n is JsonValue v && v.TryGetValue(out num);
    }

    /// <summary>Replaces every placeholder in a parsed tree by a node holding the attachment's bytes.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject placeholder when IsPlaceholder(placeholder, out var num):
                return JsonValue.Create(Get(num));
            case JsonObject obj:
                foreach (var key in obj.Select(pair => pair.Key).ToList())
                {
                    var child = obj[key];
                    var resolved = Resolve(child);
                    if (!ReferenceEquals(resolved, child))
                    {
                        obj[key] = resolved;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    var resolved = Resolve(child);
                    if (!ReferenceEquals(resolved, child))
                    {
                        array[i] = resolved;
                    }
                }

                break;
        }

        return node;
    }
}

/// <summary>Writes <c>byte[]</c> as a binary attachment placeholder; reads a placeholder or a base64 string.</summary>
internal sealed class AttachmentByteArrayConverter : JsonConverter<byte[]>
{
    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetBytesFromBase64();
        }

        var node = JsonNode.Parse(ref reader) as JsonObject;
        if (node is not null && BinaryAttachments.IsPlaceholder(node, out var num) && BinaryAttachments.Current is { } attachments)
        {
            return attachments.Get(num);
        }

        throw new JsonException("expected binary data");
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        // Outside a packet being written (a received tree turned into a JsonElement, say) bytes are base64, as in plain JSON.
        if (BinaryAttachments.CurrentWrite is not { } attachments)
        {
            writer.WriteBase64StringValue(value);
            return;
        }

        writer.WriteStartObject();
        writer.WriteBoolean("_placeholder", true);
        writer.WriteNumber("num", attachments.Add(value));
        writer.WriteEndObject();
    }
}
