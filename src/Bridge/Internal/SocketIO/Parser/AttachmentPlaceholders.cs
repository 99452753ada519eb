using System.Text.Json;

namespace EvolutionHub.Bridge.Internal.SocketIO.Parser;

/// <summary>
/// Checks the placeholders of a BINARY_EVENT or BINARY_ACK, so that its attachments cost what was received: every object
/// whose <c>_placeholder</c> is <c>true</c> must be exactly <c>{"_placeholder":true,"num":n}</c> with <c>n</c> the integer
/// index of an attachment, and each attachment must be referenced exactly once.
/// </summary>
internal static class AttachmentPlaceholders
{
    private const int StackAllocatedAttachments = 256;

    public static void Validate(ReadOnlySpan<byte> json, int attachmentCount)
    {
        Span<bool> referenced = attachmentCount <= StackAllocatedAttachments ? stackalloc bool[attachmentCount] : new bool[attachmentCount];
        Span<ObjectState> open = stackalloc ObjectState[PacketDecoder.MaxDepth + 1];
        var depth = 0;
        var found = 0;
        // The packet decoder has checked the JSON (and its depth) already.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = PacketDecoder.MaxDepth });
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    open[depth++] = default;
                    break;
                case JsonTokenType.EndObject:
                    var closed = open[--depth];
                    if (closed.IsPlaceholder)
                    {
                        Claim(closed, referenced);
                        found++;
                    }

                    break;
                case JsonTokenType.PropertyName:
                    ReadProperty(ref reader, ref open[depth - 1]);
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        open[depth++] = default;
                    }

                    break;
            }
        }

        if (found != attachmentCount)
        {
            throw new SocketIoProtocolException($"{found} placeholders for {attachmentCount} attachments");
        }
    }

    /// <summary>Reads a property name and its value (the value's first token, for an object or array).</summary>
    private static void ReadProperty(ref Utf8JsonReader reader, ref ObjectState owner)
    {
        owner.Properties++;
        var isFlag = reader.ValueTextEquals("_placeholder"u8);
        var isNum = !isFlag && reader.ValueTextEquals("num"u8);
        reader.Read();
        if (isFlag)
        {
            owner.IsPlaceholder = reader.TokenType == JsonTokenType.True;
        }
        else if (isNum)
        {
            owner.HasIndex = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out owner.Index);
        }
    }

    private static void Claim(in ObjectState placeholder, Span<bool> referenced)
    {
        if (placeholder.Properties != 2 || !placeholder.HasIndex)
        {
            throw new SocketIoProtocolException("malformed attachment placeholder");
        }

        if (placeholder.Index < 0 || placeholder.Index >= referenced.Length)
        {
            throw new SocketIoProtocolException($"placeholder for attachment {placeholder.Index} of {referenced.Length}");
        }

        if (referenced[placeholder.Index])
        {
            throw new SocketIoProtocolException($"attachment {placeholder.Index} referenced twice");
        }

        referenced[placeholder.Index] = true;
    }

    private struct ObjectState
    {
        public int Properties;
        public bool IsPlaceholder;
        public bool HasIndex;
        public int Index;
    }
}
