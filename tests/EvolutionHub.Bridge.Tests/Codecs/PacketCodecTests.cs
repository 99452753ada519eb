using System.Text;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Tests.Codecs;

public sealed class PacketCodecTests
{
    private static SocketIoPacket Parse(string text, int protocol = 4) => PacketDecoder.Parse(Encoding.UTF8.GetBytes(text), protocol, maxAttachments: 10);

    [Theory]
    [InlineData("0", (int)SocketIoPacketType.Connect, "/", null, "")]
    [InlineData("0/admin,{\"token\":\"x\"}", (int)SocketIoPacketType.Connect, "/admin", null, "{\"token\":\"x\"}")]
    [InlineData("1/admin,", (int)SocketIoPacketType.Disconnect, "/admin", null, "")]
    [InlineData("2[\"hello\",1]", (int)SocketIoPacketType.Event, "/", null, "[\"hello\",1]")]
    [InlineData("2/admin,456[\"project:delete\",123]", (int)SocketIoPacketType.Event, "/admin", 456L, "[\"project:delete\",123]")]
    [InlineData("3/admin,456[]", (int)SocketIoPacketType.Ack, "/admin", 456L, "[]")]
    [InlineData("2[1,2]", (int)SocketIoPacketType.Event, "/", null, "[1,2]")]
    public void Packets_of_every_client_type_decode(string text, int type, string ns, long? id, string data)
    {
        var packet = Parse(text);
        Assert.Equal((SocketIoPacketType)type, packet.Type);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(id, packet.Id);
        Assert.Equal(data, Encoding.UTF8.GetString(packet.Data.Span));
    }

    [Fact]
    public void Binary_events_wait_for_their_attachments()
    {
        var decoder = new PacketDecoder(4, maxAttachments: 10, maxPayload: 1_000_000);
        Assert.Null(decoder.DecodeText(Encoding.UTF8.GetBytes("52-/a,7[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]")));
        Assert.Null(decoder.DecodeBinary(new byte[] { 1 }));
        var packet = decoder.DecodeBinary(new byte[] { 2 });
        Assert.NotNull(packet);
        Assert.Equal(SocketIoPacketType.BinaryEvent, packet.Type);
        Assert.Equal(7, packet.Id);
        Assert.Equal([new byte[] { 1 }, new byte[] { 2 }], packet.Attachments.Select(a => a.ToArray()));
    }

    [Fact]
    public void A_v2_connect_carries_its_query_in_the_namespace()
    {
        var packet = Parse("0/admin?token=abc&x=1,", protocol: 3);
        Assert.Equal("/admin", packet.Namespace);
        Assert.Equal("token=abc&x=1", packet.Query);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("2")]
    [InlineData("2[]")]
    [InlineData("2{}")]
    [InlineData("2\"text\"")]
    [InlineData("2[\"x\"")]
    [InlineData("2[\"x\"]trailing")]
    [InlineData("2[\"disconnect\"]")]
    [InlineData("0[1]")]
    [InlineData("1{}")]
    [InlineData("3[]")]
    [InlineData("4{\"message\":\"no\"}")]
    [InlineData("5[\"x\"]")]
    [InlineData("5x-[\"x\"]")]
    [InlineData("5999-[\"x\"]")]
    [InlineData("21234567890123456[\"x\"]")]
    public void Malformed_packets_are_rejected(string text) =>
        Assert.Throws<SocketIoProtocolException>(() => Parse(text));

    [Fact]
    public void A_v2_connect_with_a_body_is_rejected() =>
        Assert.Throws<SocketIoProtocolException>(() => Parse("0/admin,{\"token\":1}", protocol: 3));

    [Theory]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("52-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":1}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":-1}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":1.0}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true}]")]
    [InlineData("51-[\"x\",{\"num\":0,\"_placeholder\":true,\"x\":{}}]")]
    [InlineData("52-[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("51-[\"x\",{\"\\u005fplaceholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("62-3[{\"_placeholder\":true,\"num\":0}]")]
    public void Binary_packets_must_reference_each_attachment_exactly_once(string text) =>
        Assert.Throws<SocketIoProtocolException>(() => Parse(text));

    [Theory]
    [InlineData("52-[\"x\",{\"a\":[{\"_placeholder\":true,\"num\":1}],\"b\":{\"num\":0,\"_placeholder\":true}}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":false,\"num\":7},{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("50-[\"x\",{\"_placeholder\":\"true\",\"num\":0}]")]
    [InlineData("62-3[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]")]
    public void Placeholders_at_any_depth_and_in_any_order_are_accepted_once_each(string text) =>
        Assert.Equal(int.Parse(text[1..text.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture), Parse(text).AttachmentCount);

    [Fact]
    public void Attachments_beyond_the_limit_or_past_maxPayload_with_their_packet_are_rejected()
    {
        Assert.Throws<SocketIoProtocolException>(() => PacketDecoder.Parse(Encoding.UTF8.GetBytes("53-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]"), 4, maxAttachments: 2));

        var text = Encoding.UTF8.GetBytes("52-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        var decoder = new PacketDecoder(4, maxAttachments: 10, maxPayload: text.Length + 100);
        Assert.Null(decoder.DecodeText(text));
        Assert.Null(decoder.DecodeBinary(new byte[60]));
        Assert.Throws<SocketIoProtocolException>(() => decoder.DecodeBinary(new byte[41]));
    }

    [Fact]
    public void Text_where_an_attachment_is_due_and_stray_binary_are_rejected()
    {
        var decoder = new PacketDecoder(4, maxAttachments: 10, maxPayload: 1_000_000);
        Assert.Throws<SocketIoProtocolException>(() => decoder.DecodeBinary(new byte[] { 1 }));
        decoder.DecodeText(Encoding.UTF8.GetBytes("51-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
        Assert.Throws<SocketIoProtocolException>(() => decoder.DecodeText(Encoding.UTF8.GetBytes("2[\"y\"]")));
    }

    [Theory]
    [InlineData((int)SocketIoPacketType.Event, "/", null, 0, "[\"a\"]", "42[\"a\"]")]
    [InlineData((int)SocketIoPacketType.Event, "/chat", 12L, 0, "[\"a\"]", "42/chat,12[\"a\"]")]
    [InlineData((int)SocketIoPacketType.BinaryAck, "/chat", 3L, 2, "[1]", "462-/chat,3[1]")]
    [InlineData((int)SocketIoPacketType.Connect, "/", null, 0, "{\"sid\":\"x\"}", "40{\"sid\":\"x\"}")]
    [InlineData((int)SocketIoPacketType.Disconnect, "/chat", null, 0, "", "41/chat,")]
    public void Packets_encode_into_engine_io_message_frames(int type, string ns, long? id, int attachments, string json, string expected)
    {
        var packet = PacketEncoder.Encode((SocketIoPacketType)type, PacketEncoder.NamespacePrefix(ns), id, attachments, Encoding.UTF8.GetBytes(json));
        Assert.Equal(expected, Encoding.UTF8.GetString(packet.Frame.Span));
    }
}
