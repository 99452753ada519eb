using System.Buffers;
using CsCheck;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.EngineIO.ParserV3;
using Xunit.Abstractions;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>The Engine.IO decoders: v4 payloads and packets, v3 text and binary payloads and binary frames.</summary>
public sealed class EngineIoDecoderTests(ITestOutputHelper output)
{
    // A packet's data is a slice of the input, but for base64 decoded into an array of its own: with its header (24 bytes),
    // the smallest ("bAA==" and a separator, 6 bytes) costs 32 bytes, about 5 times its size.
    private static readonly Budget PayloadBudget = new(PerTextByte: 8, PerBinaryByte: 0, Constant: 4 * 1024);

    private static readonly Gen<EnginePacket> Packet = Gen.Frequency(
        (5, Gen.Select(Gen.Int[0, 6], Inputs.Text, (type, text) => EnginePacket.Text((EnginePacketType)('0' + type), text))),
        (1, Gen.Byte.Array[0, 2000].Select(bytes => EnginePacket.Binary(bytes))));

    /// <summary>Bodies of many one-byte packets: the most packets, and so the most bookkeeping, a body's bytes can buy.</summary>
    private static readonly Gen<EnginePacket[]> TinyPackets = Gen.Select(
        Gen.OneOf(EnginePacket.Pong, EnginePacket.Noop, EnginePacket.Text(EnginePacketType.Message), EnginePacket.Binary(Array.Empty<byte>()), EnginePacket.Binary(new byte[1])),
        Gen.Int[100, 3000], (packet, count) => Enumerable.Repeat(packet, count).ToArray());

    private static readonly Gen<EnginePacket[]> Payload = Gen.Frequency((9, Packet.Array[1, 6]), (1, TinyPackets));

    private static readonly Gen<byte[]> V4Payloads = Payload.Select(packets => Encode(packets, PayloadCodec.EncodePayload));

    private static readonly Gen<byte[]> V3TextPayloads = Payload.Select(packets => Encode(packets, PayloadCodecV3.EncodeTextPayload));

    private static readonly Gen<byte[]> V3BinaryPayloads = Payload.Select(packets => Encode(packets, PayloadCodecV3.EncodeBinaryPayload));

    [Fact]
    public Task V4_payloads() => Check("Engine.IO v4 payload", V4Payloads, bytes => Count(PayloadCodec.DecodePayload(bytes)) > 0);

    [Fact]
    public Task V4_packets() => Check("Engine.IO v4 packet", Packet.Select(p => p.Frame.ToArray()), bytes => PayloadCodec.DecodePacket(bytes, isBinary: false).Data.Length >= 0);

    [Fact]
    public Task V3_text_payloads() => Check("Engine.IO v3 text payload", V3TextPayloads, bytes => Count(PayloadCodecV3.DecodePayload(bytes, isBinaryPayload: false)) > 0);

    [Fact]
    public Task V3_binary_payloads() => Check("Engine.IO v3 binary payload", V3BinaryPayloads, bytes => Count(PayloadCodecV3.DecodePayload(bytes, isBinaryPayload: true)) > 0);

    [Fact]
    public Task V3_binary_frames() => Check("Engine.IO v3 binary frame", Gen.Byte.Array[0, 40].Select(bytes => PayloadCodecV3.EncodeBinaryFrame(bytes)),
        bytes => PayloadCodecV3.DecodePacket(bytes, isBinary: true).IsBinary);

    private Task Check(string target, Gen<byte[]> valid, Func<byte[], bool> decode) =>
        new Fuzzing(output).CheckAsync(target, Inputs.Around(valid), decode, bytes => (bytes.Length, 0), PayloadBudget, Fuzzing.Hex, typeof(EngineProtocolException));

    /// <summary>Reads every packet, as a session does (without keeping them).</summary>
    private static int Count(IEnumerable<EngineMessage> packets)
    {
        var count = 0;
        foreach (var _ in packets)
        {
            count++;
        }

        return count;
    }

    private static byte[] Encode(EnginePacket[] packets, Action<IReadOnlyList<EnginePacket>, IBufferWriter<byte>> encode)
    {
        var output = new ArrayBufferWriter<byte>();
        encode(packets, output);
        return output.WrittenSpan.ToArray();
    }
}
