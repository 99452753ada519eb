using System.Text;
using EvolutionHub.Bridge.Internal.SocketIO;

namespace EvolutionHub.Bridge.Tests.SocketIo;

public sealed class NamespaceEncoderTests
{
    [Fact]
    public void One_serialised_event_is_encoded_once_per_namespace()
    {
        var encoders = new NamespaceEncoders();
        var chat = encoders.Rent("/chat");
        Assert.Same(chat, encoders.Rent("/chat"));
        var root = encoders.Rent("/");
        var json = Encoding.UTF8.GetBytes("xx[\"e\",{\"n\":1}]").AsMemory(2);

        var first = chat.EncodeEvent(json);
        Assert.True(first.Frame.Equals(chat.EncodeEvent(json).Frame), "the same bytes should give the same packet buffer");
        Assert.Equal("42/chat,[\"e\",{\"n\":1}]", Encoding.UTF8.GetString(first.Frame.Span));
        Assert.Equal("42[\"e\",{\"n\":1}]", Encoding.UTF8.GetString(root.EncodeEvent(json).Frame.Span));

        // A backplane hands each node its own copy of the message: the same JSON elsewhere is still the same packet.
        var copy = json.ToArray();
        Assert.True(first.Frame.Equals(chat.EncodeEvent(copy).Frame), "a copy of the same JSON should give the same packet buffer");

        var next = chat.EncodeEvent(Encoding.UTF8.GetBytes("[\"f\",{\"n\":2}]"));
        Assert.Equal("42/chat,[\"f\",{\"n\":2}]", Encoding.UTF8.GetString(next.Frame.Span));
        Assert.Equal("42/chat,[\"e\",{\"n\":1}]", Encoding.UTF8.GetString(first.Frame.Span));

        encoders.Return(chat);
        encoders.Return(chat);
        Assert.NotSame(chat, encoders.Rent("/chat"));
    }
}
