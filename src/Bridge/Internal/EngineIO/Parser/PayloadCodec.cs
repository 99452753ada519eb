using System.Buffers;
using System.Buffers.Text;

namespace EvolutionHub.Bridge.Internal.EngineIO.Parser;

/// <summary>Engine.IO v4 encoding: single packets (WebSocket frames) and HTTP long-polling payloads.</summary>
internal static class PayloadCodec
{
    public const byte RecordSeparator = 0x1E;
    private const byte BinaryMarker = (byte)'b';

    /// <summary>Decodes one WebSocket frame.</summary>
    public static EngineMessage DecodePacket(ReadOnlyMemory<byte> frame, bool isBinary)
    {
        if (isBinary)
        {
            return new EngineMessage(EnginePacketType.Message, frame, true);
        }

        if (frame.IsEmpty)
        {
            throw new EngineProtocolException("empty packet");
        }

        var type = (EnginePacketType)frame.Span[0];
        if (type is < EnginePacketType.Open or > EnginePacketType.Noop)
        {
            throw new EngineProtocolException("unknown packet type");
        }

        return new EngineMessage(type, frame[1..], false);
    }

    /// <summary>
    /// Decodes a long-polling request body as it is enumerated: packets separated by 0x1E, binary ones as <c>b</c> + base64.
    /// A malformed packet throws when it is reached, so a body costs no bookkeeping per packet and is read no further than
    /// its first error.
    /// </summary>
    public static IEnumerable<EngineMessage> DecodePayload(ReadOnlyMemory<byte> payload)
    {
        var rest = payload;
        while (true)
        {
            var end = rest.Span.IndexOf(RecordSeparator);
            yield return DecodePayloadPart(end < 0 ? rest : rest[..end]);
            if (end < 0)
            {
                yield break;
            }

            rest = rest[(end + 1)..];
        }
    }

    private static EngineMessage DecodePayloadPart(ReadOnlyMemory<byte> part)
    {
        return !part.IsEmpty && part.Span[0] == BinaryMarker ? DecodeBase64Message(part.Span[1..]) : DecodePacket(part, false);
    }

    /// <summary>A binary message sent as base64 text (v4 payloads after <c>b</c>, v3 packets after <c>b4</c>).</summary>
    internal static EngineMessage DecodeBase64Message(ReadOnlySpan<byte> base64)
    {
        if (base64.IsEmpty)
        {
            return new EngineMessage(EnginePacketType.Message, ReadOnlyMemory<byte>.Empty, true);
        }

        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        if (Base64.DecodeFromUtf8(base64, bytes, out _, out var written) != OperationStatus.Done)
        {
            throw new EngineProtocolException("invalid base64 in binary packet");
        }

        return new EngineMessage(EnginePacketType.Message, bytes.AsMemory(0, written), true);
    }

    /// <summary>Writes packets as one long-polling response body.</summary>
    public static void EncodePayload(IReadOnlyList<EnginePacket> packets, IBufferWriter<byte> output)
    {
        for (var i = 0; i < packets.Count; i++)
        {
            if (i > 0)
            {
                output.Write([RecordSeparator]);
            }

            var packet = packets[i];
            if (packet.IsBinary)
            {
                var data = packet.Frame.Span;
                var span = output.GetSpan(1 + Base64.GetMaxEncodedToUtf8Length(data.Length));
                span[0] = BinaryMarker;
                Base64.EncodeToUtf8(data, span[1..], out _, out var written);
                output.Advance(1 + written);
            }
            else
            {
                output.Write(packet.Frame.Span);
            }
        }
    }
}
