using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace EvolutionHub.Bridge.Internal.SocketIO.Parser;

/// <summary>
/// Decodes Socket.IO packets from Engine.IO messages: <c>type[attachments-][/namespace,][id][json]</c>, then the
/// binary attachments of BINARY_EVENT and BINARY_ACK as the following binary messages. One decoder per session.
/// A binary packet announces at most <paramref name="maxAttachments"/> attachments, references each exactly once, and
/// stays, attachments included, within <paramref name="maxPayload"/> bytes.
/// </summary>
internal sealed class PacketDecoder(int protocol, int maxAttachments, int maxPayload)
{
    /// <summary>
    /// The JSON nesting a packet may have. Deeper than the hub's own binding accepts (64), so that a deep payload
    /// becomes an error acknowledgement rather than a closed session.
    /// </summary>
    public const int MaxDepth = 256;

    // More digits than any attachment limit needs, and too few to overflow.
    private const int MaxAttachmentDigits = 9;
    private SocketIoPacket? _awaitingAttachments;
    private long _awaitingBytes;

    /// <summary>Decodes a text message; returns the packet once complete, or null while it awaits attachments.</summary>
    public SocketIoPacket? DecodeText(ReadOnlyMemory<byte> message)
    {
        if (_awaitingAttachments is not null)
        {
            throw new SocketIoProtocolException("text packet while binary attachments were expected");
        }

        var packet = Parse(message, protocol, maxAttachments);
        if (packet.AttachmentCount == 0)
        {
            return packet;
        }

        _awaitingAttachments = packet;
        _awaitingBytes = message.Length;
        return null;
    }

    /// <summary>Takes a binary message as the next attachment; returns the packet once all have arrived.</summary>
    public SocketIoPacket? DecodeBinary(ReadOnlyMemory<byte> attachment)
    {
        var packet = _awaitingAttachments ?? throw new SocketIoProtocolException("unexpected binary message");
        _awaitingBytes += attachment.Length;
        if (_awaitingBytes > maxPayload)
        {
            throw new SocketIoProtocolException($"packet and attachments over maxPayload ({maxPayload} bytes)");
        }

        packet.Attachments.Add(attachment);
        if (!packet.IsComplete)
        {
            return null;
        }

        _awaitingAttachments = null;
        return packet;
    }

    internal static SocketIoPacket Parse(ReadOnlyMemory<byte> message, int protocol, int maxAttachments)
    {
        var span = message.Span;
        if (span.IsEmpty || span[0] < '0' || span[0] > '6')
        {
            throw new SocketIoProtocolException("unknown packet type");
        }

        // JSON readers check the tokens, not the text inside strings: a polling body is bytes, not necessarily UTF-8.
        if (!Utf8.IsValid(span))
        {
            throw new SocketIoProtocolException("invalid UTF-8");
        }

        var type = (SocketIoPacketType)(span[0] - '0');
        var position = 1;

        var attachments = 0;
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            var start = position;
            while (position < span.Length && span[position] != '-')
            {
                if (!char.IsAsciiDigit((char)span[position]) || position - start >= MaxAttachmentDigits)
                {
                    throw new SocketIoProtocolException("invalid attachment count");
                }

                attachments = (attachments * 10) + (span[position++] - '0');
            }

            if (position == start || position >= span.Length)
            {
                throw new SocketIoProtocolException("invalid attachment count");
            }

            if (attachments > maxAttachments)
            {
                throw new SocketIoProtocolException($"{attachments} attachments, over the limit of {maxAttachments}");
            }

            position++;
        }

        var ns = "/";
        string? query = null;
        if (position < span.Length && span[position] == '/')
        {
            var comma = span[position..].IndexOf((byte)',');
            var end = comma < 0 ? span.Length : position + comma;
            var full = Encoding.UTF8.GetString(span[position..end]);
            var question = protocol == 3 ? full.IndexOf('?', StringComparison.Ordinal) : -1;
            ns = question < 0 ? full : full[..question];
            query = question < 0 ? null : full[(question + 1)..];
            position = comma < 0 ? span.Length : end + 1;
        }

        long? id = null;
        var idStart = position;
        while (position < span.Length && char.IsAsciiDigit((char)span[position]))
        {
            if (position - idStart >= 15)
            {
                throw new SocketIoProtocolException("invalid packet id");
            }

            id = ((id ?? 0) * 10) + (span[position++] - '0');
        }

        var data = message[position..];
        Validate(type, data.Span, id, protocol);
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            AttachmentPlaceholders.Validate(data.Span, attachments);
        }

        return new SocketIoPacket(type, ns, query, id, data, attachments);
    }

    private static void Validate(SocketIoPacketType type, ReadOnlySpan<byte> data, long? id, int protocol)
    {
        JsonValueKind kind;
        try
        {
            kind = data.IsEmpty ? JsonValueKind.Undefined : FirstValueKind(data);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SocketIoProtocolException("invalid JSON payload");
        }

        var valid = type switch
        {
            SocketIoPacketType.Connect => kind is JsonValueKind.Undefined or JsonValueKind.Object && (protocol == 4 || kind == JsonValueKind.Undefined),
            SocketIoPacketType.Disconnect => kind == JsonValueKind.Undefined,
            SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent => kind == JsonValueKind.Array && HasEventName(data),
            SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck => kind == JsonValueKind.Array && id is not null,
            _ => false, // CONNECT_ERROR only travels from server to client.
        };
        if (!valid)
        {
            throw new SocketIoProtocolException($"invalid payload for a {type} packet");
        }
    }

    /// <summary>Checks the whole payload is one JSON value whose strings are all text, and tells its kind.</summary>
    private static JsonValueKind FirstValueKind(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        var kind = reader.TokenType switch
        {
            JsonTokenType.StartObject => JsonValueKind.Object,
            JsonTokenType.StartArray => JsonValueKind.Array,
            JsonTokenType.String => JsonValueKind.String,
            JsonTokenType.Number => JsonValueKind.Number,
            _ => JsonValueKind.Null,
        };

        // Reading on past the value's end throws for trailing data.
        do
        {
            // An escape may still not be text (a lone surrogate, "\uDF0D"): only reading the string tells, and every
            // reader of it downstream would throw.
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                reader.GetString();
            }
        }
        while (reader.Read());

        return kind;
    }

    private static bool HasEventName(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        if (!reader.Read())
        {
            return false;
        }

        return reader.TokenType == JsonTokenType.Number
            || (reader.TokenType == JsonTokenType.String && !ReservedEvents.Contains(reader.GetString()!));
    }

    // Names the client library uses for its own events; a client cannot emit them.
    private static readonly HashSet<string> ReservedEvents =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
}
