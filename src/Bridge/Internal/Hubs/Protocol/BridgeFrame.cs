using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EvolutionHub.Bridge.Internal.Hubs.Protocol;

/// <summary>
/// The unit the <c>socketio</c> hub protocol exchanges with the bridge over a hub connection's pipes:
/// <c>kind(1) idLength(2) textLength(4) attachmentCount(2) id text (length(4) bytes)*</c>, little-endian.
/// It carries a Socket.IO packet's JSON and attachments without its namespace, so that the same bytes serve every
/// connection a group send reaches; the bridge adds namespace, ack id and Engine.IO framing per connection.
/// </summary>
internal readonly struct BridgeFrame(BridgeFrameKind kind, string? id, ReadOnlySequence<byte> text, IReadOnlyList<ReadOnlySequence<byte>> attachments)
{
    private const int HeaderSize = 1 + 2 + 4 + 2;

    public BridgeFrameKind Kind { get; } = kind;

    /// <summary>Hub → client: the SignalR invocation id. Client → hub: the ack id or the invocation id acknowledged.</summary>
    public string? Id { get; } = id;

    public ReadOnlySequence<byte> Text { get; } = text;

    public IReadOnlyList<ReadOnlySequence<byte>> Attachments { get; } = attachments;

    public static void WriteHeader(IBufferWriter<byte> output, BridgeFrameKind kind, string? id, int textLength, int attachmentCount)
    {
        var idLength = id is null ? 0 : Encoding.UTF8.GetByteCount(id);
        var span = output.GetSpan(HeaderSize + idLength);
        span[0] = (byte)kind;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], checked((ushort)idLength));
        BinaryPrimitives.WriteInt32LittleEndian(span[3..], textLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[7..], checked((ushort)attachmentCount));
        if (id is not null)
        {
            Encoding.UTF8.GetBytes(id, span[HeaderSize..]);
        }

        output.Advance(HeaderSize + idLength);
    }

    public static void WriteAttachment(IBufferWriter<byte> output, ReadOnlySpan<byte> attachment)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), attachment.Length);
        output.Advance(4);
        output.Write(attachment);
    }

    public static void Write(IBufferWriter<byte> output, BridgeFrameKind kind, string? id, ReadOnlySpan<byte> text, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        WriteHeader(output, kind, id, text.Length, attachments.Count);
        output.Write(text);
        foreach (var attachment in attachments)
        {
            WriteAttachment(output, attachment.Span);
        }
    }

    /// <summary>Reads one frame the hub wrote from <paramref name="input"/>, advancing it; false when the frame is not complete yet.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> input, out BridgeFrame frame) => TryRead(ref input, out frame, BridgeFrameLimits.None);

    /// <summary>
    /// Reads one frame from <paramref name="input"/>, advancing it; false when the frame is not complete yet. A frame over
    /// <paramref name="limits"/> is refused from its header on, before its bytes are waited for.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame is malformed or over the limits.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> input, out BridgeFrame frame, BridgeFrameLimits limits)
    {
        frame = default;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryRead(out var kind) || !reader.TryReadLittleEndian(out short rawIdLength) || !reader.TryReadLittleEndian(out int textLength)
            || !reader.TryReadLittleEndian(out short rawAttachmentCount))
        {
            return false;
        }

        var idLength = (ushort)rawIdLength;
        var attachmentCount = (ushort)rawAttachmentCount;
        long bytes = textLength;
        if (textLength < 0 || bytes > limits.MaxBytes || idLength > limits.MaxIdBytes || attachmentCount > limits.MaxAttachments)
        {
            throw new InvalidDataException($"a frame of {bytes} bytes, a {idLength}-byte id and {attachmentCount} attachments is over the limits or malformed");
        }

        if (reader.Remaining < idLength + bytes)
        {
            return false;
        }

        string? id = null;
        if (idLength != 0)
        {
            id = Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, idLength));
            reader.Advance(idLength);
        }

        var text = reader.UnreadSequence.Slice(0, textLength);
        reader.Advance(textLength);

        var attachments = attachmentCount == 0 ? [] : new ReadOnlySequence<byte>[attachmentCount];
        for (var i = 0; i < attachments.Length; i++)
        {
            if (!reader.TryReadLittleEndian(out int length))
            {
                return false;
            }

            bytes += length;
            if (length < 0 || bytes > limits.MaxBytes)
            {
                throw new InvalidDataException($"a frame's attachments pass {limits.MaxBytes} bytes or are malformed");
            }

            if (reader.Remaining < length)
            {
                return false;
            }

            attachments[i] = reader.UnreadSequence.Slice(0, length);
            reader.Advance(length);
        }

        frame = new BridgeFrame((BridgeFrameKind)kind, id, text, attachments);
        input = input.Slice(reader.Position);
        return true;
    }
}

/// <summary>What one frame may hold: attachments, bytes (text and attachments together) and bytes of id.</summary>
internal readonly record struct BridgeFrameLimits(int MaxAttachments, long MaxBytes, int MaxIdBytes)
{
    /// <summary>The ids a client's frames carry: ack ids, and the hub's invocation ids (a node name and a counter on a farm).</summary>
    public const int ClientIdBytes = 1024;

    /// <summary>No bounds but the format's own: for the frames the hub itself writes.</summary>
    public static readonly BridgeFrameLimits None = new(ushort.MaxValue, long.MaxValue, ushort.MaxValue);

    /// <summary>The frames the bridge writes for a client's packets, which it decoded within these options.</summary>
    public static BridgeFrameLimits ForClients(SocketIoOptions options) => new(options.MaxAttachments, options.MaxPayload, ClientIdBytes);
}
