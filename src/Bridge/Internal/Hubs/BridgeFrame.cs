using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EvolutionHub.Bridge.Internal.Hubs;

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

    /// <summary>Reads one frame from <paramref name="input"/>, advancing it; false when the frame is not complete yet.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> input, out BridgeFrame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryRead(out var kind) || !reader.TryReadLittleEndian(out short idLength) || !reader.TryReadLittleEndian(out int textLength)
            || !reader.TryReadLittleEndian(out short attachmentCount) || reader.Remaining < (ushort)idLength + (long)textLength)
        {
            return false;
        }

        string? id = null;
        if (idLength != 0)
        {
            id = Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, (ushort)idLength));
            reader.Advance((ushort)idLength);
        }

        var text = reader.UnreadSequence.Slice(0, textLength);
        reader.Advance(textLength);

        var attachments = attachmentCount == 0 ? [] : new ReadOnlySequence<byte>[(ushort)attachmentCount];
        for (var i = 0; i < attachments.Length; i++)
        {
            if (!reader.TryReadLittleEndian(out int length) || reader.Remaining < length)
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
