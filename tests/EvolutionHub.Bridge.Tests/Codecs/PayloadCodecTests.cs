using System.Buffers;
using System.Text;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.EngineIO.ParserV3;

namespace EvolutionHub.Bridge.Tests.Codecs;

public sealed class PayloadCodecTests
{
    private static string Text(EngineMessage message) => Encoding.UTF8.GetString(message.Data.Span);

    [Fact]
    public void V4_payload_splits_on_record_separators_and_decodes_base64_binary()
    {
        var packets = PayloadCodec.DecodePayload(Encoding.UTF8.GetBytes("4hello\u001e2\u001ebAQID\u001e4é")).ToList();
        Assert.Equal(4, packets.Count);
        Assert.Equal((EnginePacketType.Message, "hello"), (packets[0].Type, Text(packets[0])));
        Assert.Equal(EnginePacketType.Ping, packets[1].Type);
        Assert.True(packets[2].IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3 }, packets[2].Data.ToArray());
        Assert.Equal("é", Text(packets[3]));
    }

    [Fact]
    public void V4_payload_encoding_joins_packets_and_base64s_binary()
    {
        var output = new ArrayBufferWriter<byte>();
        PayloadCodec.EncodePayload([EnginePacket.Text(EnginePacketType.Message, "a"), EnginePacket.Binary(new byte[] { 1, 2, 3 }), EnginePacket.Ping], output);
        Assert.Equal("4a\u001ebAQID\u001e2", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("x")]
    [InlineData("4ok\u001e")]
    [InlineData("b!!!")]
    public void V4_malformed_payloads_are_rejected(string payload) =>
        Assert.Throws<EngineProtocolException>(() => PayloadCodec.DecodePayload(Encoding.UTF8.GetBytes(payload)).ToList());

    [Fact]
    public void V3_text_payload_lengths_count_utf16_code_units()
    {
        // "4é🌍" is 4 UTF-16 code units (the globe is a surrogate pair) and 7 UTF-8 bytes.
        var output = new ArrayBufferWriter<byte>();
        PayloadCodecV3.EncodeTextPayload([EnginePacket.Text(EnginePacketType.Message, "é🌍"), EnginePacket.Binary(new byte[] { 1, 2, 3 })], output);
        var encoded = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Equal("4:4é🌍6:b4AQID", encoded);

        var decoded = PayloadCodecV3.DecodePayload(output.WrittenMemory, isBinaryPayload: false).ToList();
        Assert.Equal("é🌍", Text(decoded[0]));
        Assert.True(decoded[1].IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded[1].Data.ToArray());
    }

    [Fact]
    public void V3_binary_payload_round_trips()
    {
        var output = new ArrayBufferWriter<byte>();
        PayloadCodecV3.EncodeBinaryPayload([EnginePacket.Text(EnginePacketType.Message, "hi"), EnginePacket.Binary(new byte[] { 9, 8 })], output);
        Assert.Equal(new byte[] { 0, 3, 0xFF, (byte)'4', (byte)'h', (byte)'i', 1, 3, 0xFF, 4, 9, 8 }, output.WrittenSpan.ToArray());

        var decoded = PayloadCodecV3.DecodePayload(output.WrittenMemory, isBinaryPayload: true).ToList();
        Assert.Equal("hi", Text(decoded[0]));
        Assert.Equal(new byte[] { 9, 8 }, decoded[1].Data.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("5:4abc")]
    [InlineData("x:4")]
    [InlineData("0:")]
    [InlineData("3:b5x")]
    public void V3_malformed_text_payloads_are_rejected(string payload) =>
        Assert.Throws<EngineProtocolException>(() => PayloadCodecV3.DecodePayload(Encoding.UTF8.GetBytes(payload), isBinaryPayload: false).ToList());

    [Theory]
    [InlineData(new byte[] { 2, 1, 0xFF, (byte)'4' })]
    [InlineData(new byte[] { 0, 9, 0xFF, (byte)'4' })]
    [InlineData(new byte[] { 0, 10, 0xFF, (byte)'4' })]
    [InlineData(new byte[] { 1, 1, 0xFF, 3 })]
    public void V3_malformed_binary_payloads_are_rejected(byte[] payload) =>
        Assert.Throws<EngineProtocolException>(() => PayloadCodecV3.DecodePayload(payload, isBinaryPayload: true).ToList());

    [Fact]
    public void V3_binary_websocket_frames_carry_the_message_type_byte()
    {
        Assert.Equal(new byte[] { 4, 7 }, PayloadCodecV3.EncodeBinaryFrame([7]));
        Assert.Equal(new byte[] { 7 }, PayloadCodecV3.DecodePacket(new byte[] { 4, 7 }, isBinary: true).Data.ToArray());
        Assert.Throws<EngineProtocolException>(() => PayloadCodecV3.DecodePacket(new byte[] { 2, 7 }, isBinary: true));
    }
}
