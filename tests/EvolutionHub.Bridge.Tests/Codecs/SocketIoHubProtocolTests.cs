using System.Buffers;
using System.Text;
using System.Text.Json;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Tests.Codecs;

public sealed class SocketIoHubProtocolTests
{
    private static SocketIoHubProtocol Protocol(string? fallback = null) =>
        new(Options.Create(new SocketIoOptions { FallbackMethod = fallback }));

    private static BridgeFrame Frame(ReadOnlyMemory<byte> bytes)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(BridgeFrame.TryRead(ref sequence, out var frame));
        Assert.True(sequence.IsEmpty);
        return frame;
    }

    [Fact]
    public void An_invocation_is_written_once_as_an_event_body_with_binary_attachments()
    {
        var bytes = Protocol().GetMessageBytes(new InvocationMessage("files", [new byte[] { 1, 2 }, new { name = "a", data = new byte[] { 3 } }]));
        var frame = Frame(bytes);
        Assert.Equal(BridgeFrameKind.Event, frame.Kind);
        Assert.Null(frame.Id);
        Assert.Equal("[\"files\",{\"_placeholder\":true,\"num\":0},{\"name\":\"a\",\"data\":{\"_placeholder\":true,\"num\":1}}]", Encoding.UTF8.GetString(frame.Text.ToArray()));
        Assert.Equal([new byte[] { 1, 2 }, new byte[] { 3 }], frame.Attachments.Select(a => a.ToArray()));
    }

    [Fact]
    public void Completions_become_acknowledgements()
    {
        var protocol = Protocol();
        string Ack(CompletionMessage message) => Encoding.UTF8.GetString(Frame(protocol.GetMessageBytes(message)).Text.ToArray());
        Assert.Equal("[42]", Ack(CompletionMessage.WithResult("1", 42)));
        Assert.Equal("[]", Ack(CompletionMessage.Empty("1")));
        Assert.Equal("[1,\"b\"]", Ack(CompletionMessage.WithResult("1", new SocketIoArguments(1, "b"))));
        Assert.Equal("[{\"error\":\"boom\"}]", Ack(CompletionMessage.WithError("1", "boom")));
    }

    [Fact]
    public void A_withheld_acknowledgement_and_an_unknown_event_without_fallback_become_a_no_ack_frame()
    {
        var protocol = Protocol();
        var withheld = Frame(protocol.GetMessageBytes(CompletionMessage.WithResult("4", SocketIoAck.None)));
        Assert.Equal((BridgeFrameKind.NoAck, "4", 0L), (withheld.Kind, withheld.Id, withheld.Text.Length));

        var failure = Assert.IsType<InvocationBindingFailureMessage>(Parse(protocol, "[\"Nope\"]", "5", new Binder()));
        var unanswered = Frame(protocol.GetMessageBytes(CompletionMessage.WithError(failure.InvocationId!, "Method does not exist.")));
        Assert.Equal((BridgeFrameKind.NoAck, "5", 0L), (unanswered.Kind, unanswered.Id, unanswered.Text.Length));
    }

    [Fact]
    public void A_client_ack_read_as_SocketIoArguments_keeps_every_argument()
    {
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Ack, "9", "[5,{\"test\":true},{\"_placeholder\":true,\"num\":0}]"u8, [new byte[] { 7 }]);
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(Protocol().TryParseMessage(ref input, new Binder { ReturnType = typeof(SocketIoArguments) }, out var message));
        var values = Assert.IsType<SocketIoArguments>(Assert.IsType<CompletionMessage>(message).Result).Values;
        Assert.Equal(3, values.Count);
        Assert.Equal(new byte[] { 7 }, values[2]);
    }

    [Fact]
    public void Partial_frames_wait_for_more_input()
    {
        var bytes = Protocol().GetMessageBytes(new InvocationMessage("x", [new byte[] { 1, 2, 3 }]));
        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(bytes[..length]);
            Assert.False(BridgeFrame.TryRead(ref partial, out _));
        }
    }

    [Fact]
    public void A_client_event_binds_to_the_hub_method_parameters()
    {
        var message = Parse(Protocol(), "[\"Add\",2,3]", id: "7", new Binder { ["Add"] = [typeof(int), typeof(int)] });
        var invocation = Assert.IsType<InvocationMessage>(message);
        Assert.Equal(("7", "Add"), (invocation.InvocationId, invocation.Target));
        Assert.Equal(new object?[] { 2, 3 }, invocation.Arguments);
    }

    [Fact]
    public void Binary_placeholders_bind_to_byte_arrays_at_any_depth()
    {
        var message = Parse(Protocol(), "[\"Upload\",{\"_placeholder\":true,\"num\":0},{\"Data\":{\"_placeholder\":true,\"num\":1}}]", null,
            new Binder { ["Upload"] = [typeof(byte[]), typeof(Upload)] }, new byte[] { 5 }, new byte[] { 6 });
        var invocation = Assert.IsType<InvocationMessage>(message);
        Assert.Equal(new byte[] { 5 }, invocation.Arguments[0]);
        Assert.Equal(new byte[] { 6 }, ((Upload)invocation.Arguments[1]!).Data);
    }

    [Fact]
    public void Attachments_bound_as_json_arrive_as_base64()
    {
        var message = Parse(Protocol(), "[\"Send\",{\"media\":{\"_placeholder\":true,\"num\":0},\"name\":\"a.png\"}]", null,
            new Binder { ["Send"] = [typeof(JsonElement)] }, new byte[] { 1, 2, 3 });
        var argument = (JsonElement)Assert.IsType<InvocationMessage>(message).Arguments[0]!;
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), argument.GetProperty("media").GetString());
        Assert.Equal("a.png", argument.GetProperty("name").GetString());
    }

    [Fact]
    public void An_attachment_is_bound_once_and_a_second_reference_to_it_fails_to_bind()
    {
        var binder = new Binder { ["Upload"] = [typeof(byte[]), typeof(byte[])], ["Tree"] = [typeof(object)], ["Json"] = [typeof(JsonElement)] };
        Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]", "1", binder, new byte[1000]));
        Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Tree\",[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]]", "1", binder, new byte[1000]));
        Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Json\",[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]]", "1", binder, new byte[1000]));
    }

    [Fact]
    public void A_frame_over_the_limits_is_refused_from_its_header_before_its_bytes_arrive()
    {
        var protocol = new SocketIoHubProtocol(Options.Create(new SocketIoOptions { MaxPayload = 1000, MaxAttachments = 2 }));
        var binder = new Binder { ["x"] = [typeof(object)] };
        void Refused(BridgeFrameKind kind, int textLength, int attachments)
        {
            var header = new ArrayBufferWriter<byte>();
            BridgeFrame.WriteHeader(header, kind, "1", textLength, attachments);
            var input = new ReadOnlySequence<byte>(header.WrittenMemory);
            Assert.Throws<InvalidDataException>(() => protocol.TryParseMessage(ref input, binder, out _));
        }

        Refused(BridgeFrameKind.Event, 1001, 0);
        Refused(BridgeFrameKind.Event, -1, 0);
        Refused(BridgeFrameKind.Event, 10, 3);

        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Event, null, "[\"x\",1]"u8, [new byte[600], new byte[600]]);
        var frames = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.Throws<InvalidDataException>(() => protocol.TryParseMessage(ref frames, binder, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[")]
    [InlineData("[{}]")]
    [InlineData("[\"unterminated")]
    public void An_event_frame_without_an_event_name_is_not_from_the_bridge(string json) =>
        Assert.Throws<InvalidDataException>(() => Parse(Protocol(), json, "1", new Binder()));

    [Fact]
    public void Unknown_events_go_to_the_fallback_with_every_argument()
    {
        var message = Parse(Protocol("OnAny"), "[\"send_message\",{\"text\":\"hi\"},{\"_placeholder\":true,\"num\":0}]", "3",
            new Binder { ["OnAny"] = [typeof(string), typeof(object[])] }, new byte[] { 1 });
        var invocation = Assert.IsType<InvocationMessage>(message);
        Assert.Equal("OnAny", invocation.Target);
        Assert.Equal("send_message", invocation.Arguments[0]);
        var arguments = Assert.IsType<object[]>(invocation.Arguments[1]);
        Assert.Equal(new byte[] { 1 }, arguments[1]);
    }

    [Fact]
    public void Unknown_events_without_a_fallback_and_bad_arguments_become_binding_failures()
    {
        var binder = new Binder { ["Add"] = [typeof(int), typeof(int)] };
        Assert.Equal("~1", Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Nope\"]", "1", binder)).InvocationId);
        Assert.Equal("1", Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Add\",\"x\",1]", "1", binder)).InvocationId);
        Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Add\",1]", "1", binder));
        Assert.IsType<InvocationBindingFailureMessage>(Parse(Protocol(), "[\"Add\",1,2,3]", "1", binder));
    }

    private static HubMessage Parse(SocketIoHubProtocol protocol, string json, string? id, IInvocationBinder binder, params byte[][] attachments)
    {
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Event, id, Encoding.UTF8.GetBytes(json), attachments.Select(a => (ReadOnlyMemory<byte>)a).ToList());
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(protocol.TryParseMessage(ref input, binder, out var message));
        return message;
    }

    public sealed record Upload(byte[] Data);

    private sealed class Binder : Dictionary<string, Type[]>, IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            TryGetValue(methodName, out var types) ? types : throw new HubException("Method does not exist.");

        public Type ReturnType { get; init; } = typeof(object);

        public Type GetReturnType(string invocationId) => ReturnType;

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
