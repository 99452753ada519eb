using System.Buffers;
using System.Globalization;
using System.Text;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;

namespace EvolutionHub.Bridge.Internal.EngineIO.ParserV3;

/// <summary>
/// Engine.IO v3 encoding (socket.io-client 2.x). Binary WebSocket frames carry the packet type as their first byte.
/// Text polling payloads are <c>length:packet</c> runs, the length counted in UTF-16 code units; binary packets in them
/// are <c>b4</c> + base64. Binary polling payloads (XHR2) frame each packet as a 0 (text) or 1 (binary) byte, the
/// length's decimal digits as byte values, 0xFF, then the packet, text lengths counted in UTF-8 bytes.
/// </summary>
internal static class PayloadCodecV3
{
    private const byte LengthEnd = 0xFF;
    private const byte MessageTypeByte = 4;
    private const int MaxLengthDigits = 9;

    public static EngineMessage DecodePacket(ReadOnlyMemory<byte> frame, bool isBinary)
    {
        if (!isBinary)
        {
            return PayloadCodec.DecodePacket(frame, false);
        }

        if (frame.IsEmpty || frame.Span[0] != MessageTypeByte)
        {
            throw new EngineProtocolException("binary frame without message type");
        }

        return new EngineMessage(EnginePacketType.Message, frame[1..], true);
    }

    /// <summary>A v4 binary frame (raw bytes) as v3 sends it: a leading packet-type byte 4.</summary>
    public static byte[] EncodeBinaryFrame(ReadOnlySpan<byte> data)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = MessageTypeByte;
        data.CopyTo(frame.AsSpan(1));
        return frame;
    }

    /// <summary>Decodes a long-polling request body as it is enumerated; a malformed packet throws when it is reached.</summary>
    public static IEnumerable<EngineMessage> DecodePayload(ReadOnlyMemory<byte> payload, bool isBinaryPayload) =>
        isBinaryPayload ? DecodeBinaryPayload(payload) : DecodeTextPayload(payload);

    private static IEnumerable<EngineMessage> DecodeTextPayload(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new EngineProtocolException("empty payload");
        }

        var position = 0;
        while (position < payload.Length)
        {
            var start = position;
            var length = ReadTextLength(payload.Span, ref start);
            var end = SkipUtf16CodeUnits(payload.Span, start, length);
            yield return DecodeTextPacket(payload[start..end]);
            position = end;
        }
    }

    /// <summary>Reads <c>length:</c>, a decimal count of UTF-16 code units above zero.</summary>
    private static int ReadTextLength(ReadOnlySpan<byte> span, ref int position)
    {
        var length = 0;
        var digits = 0;
        while (position < span.Length && span[position] != (byte)':')
        {
            // Nine digits are more than any body maxPayload allows, and cannot overflow.
            if (!char.IsAsciiDigit((char)span[position]) || ++digits > MaxLengthDigits)
            {
                throw new EngineProtocolException("invalid v3 payload length");
            }

            length = (length * 10) + (span[position++] - '0');
        }

        if (position == span.Length || length == 0)
        {
            throw new EngineProtocolException("invalid v3 payload length");
        }

        position++;
        return length;
    }

    /// <summary>The end of the UTF-8 text starting at <paramref name="start"/> that is <paramref name="codeUnits"/> UTF-16 code units long.</summary>
    private static int SkipUtf16CodeUnits(ReadOnlySpan<byte> span, int start, int codeUnits)
    {
        var position = start;
        while (codeUnits > 0)
        {
            if (position == span.Length)
            {
                throw new EngineProtocolException("truncated v3 payload");
            }

            if (span[position] < 0x80)
            {
                position++;
                codeUnits--;
                continue;
            }

            if (Rune.DecodeFromUtf8(span[position..], out var rune, out var consumed) != OperationStatus.Done || rune.Utf16SequenceLength > codeUnits)
            {
                throw new EngineProtocolException("invalid UTF-8 in v3 payload");
            }

            position += consumed;
            codeUnits -= rune.Utf16SequenceLength;
        }

        return position;
    }

    private static EngineMessage DecodeTextPacket(ReadOnlyMemory<byte> packet)
    {
        if (packet.Span[0] != (byte)'b')
        {
            return PayloadCodec.DecodePacket(packet, false);
        }

        if (packet.Length < 2 || packet.Span[1] != (byte)EnginePacketType.Message)
        {
            throw new EngineProtocolException("invalid base64 packet");
        }

        return PayloadCodec.DecodeBase64Message(packet.Span[2..]);
    }

    private static IEnumerable<EngineMessage> DecodeBinaryPayload(ReadOnlyMemory<byte> payload)
    {
        var position = 0;
        while (position < payload.Length)
        {
            var (isBinary, start, length) = ReadBinaryHeader(payload.Span, position);
            var data = payload.Slice(start, length);
            yield return isBinary ? DecodePacket(data, true) : PayloadCodec.DecodePacket(data, false);
            position = start + length;
        }
    }

    /// <summary>Reads <c>marker digits… 0xFF</c> at <paramref name="position"/>: the packet's kind, where it starts and its length.</summary>
    private static (bool IsBinary, int Start, int Length) ReadBinaryHeader(ReadOnlySpan<byte> span, int position)
    {
        var isBinary = span[position] switch
        {
            0 => false,
            1 => true,
            _ => throw new EngineProtocolException("invalid v3 binary payload marker"),
        };
        position++;
        var length = 0;
        var digits = 0;
        while (position < span.Length && span[position] != LengthEnd)
        {
            if (span[position] > 9 || ++digits > MaxLengthDigits)
            {
                throw new EngineProtocolException("invalid v3 binary payload length");
            }

            length = (length * 10) + span[position++];
        }

        if (position >= span.Length || digits == 0 || length > span.Length - position - 1)
        {
            throw new EngineProtocolException("truncated v3 binary payload");
        }

        return (isBinary, position + 1, length);
    }

    /// <summary>Whether a response carrying these packets must use the binary payload format.</summary>
    public static bool NeedsBinaryPayload(IReadOnlyList<EnginePacket> packets, bool clientSupportsBinary)
    {
        if (!clientSupportsBinary)
        {
            return false;
        }

        foreach (var packet in packets)
        {
            if (packet.IsBinary)
            {
                return true;
            }
        }

        return false;
    }

    public static void EncodeTextPayload(IReadOnlyList<EnginePacket> packets, IBufferWriter<byte> output)
    {
        foreach (var packet in packets)
        {
            if (packet.IsBinary)
            {
                var base64 = Convert.ToBase64String(packet.Frame.Span);
                WriteAscii(output, (base64.Length + 2).ToString(CultureInfo.InvariantCulture) + ":b4" + base64);
            }
            else
            {
                var length = Encoding.UTF8.GetCharCount(packet.Frame.Span);
                WriteAscii(output, length.ToString(CultureInfo.InvariantCulture) + ":");
                output.Write(packet.Frame.Span);
            }
        }
    }

    public static void EncodeBinaryPayload(IReadOnlyList<EnginePacket> packets, IBufferWriter<byte> output)
    {
        foreach (var packet in packets)
        {
            var data = packet.Frame.Span;
            var length = packet.IsBinary ? data.Length + 1 : data.Length;
            var digits = length.ToString(CultureInfo.InvariantCulture);
            var header = output.GetSpan(digits.Length + 2);
            header[0] = packet.IsBinary ? (byte)1 : (byte)0;
            for (var i = 0; i < digits.Length; i++)
            {
                header[i + 1] = (byte)(digits[i] - '0');
            }

            header[digits.Length + 1] = LengthEnd;
            output.Advance(digits.Length + 2);
            if (packet.IsBinary)
            {
                output.Write([MessageTypeByte]);
            }

            output.Write(data);
        }
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        Encoding.ASCII.GetBytes(text, span);
        output.Advance(text.Length);
    }
}
