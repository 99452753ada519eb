using System.Buffers;
using System.Text;
using EvolutionHub.Bridge.Internal.Hubs;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;

namespace EvolutionHub.Bridge.Tests.Hubs;

public sealed class HubOutputWriterTests
{
    private static readonly byte[] AcceptedHandshake = "{}\u001e"u8.ToArray();

    private static byte[] Frame(string json, string? id = null)
    {
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Event, id, Encoding.UTF8.GetBytes(json), []);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task Frames_wait_for_forwarding_then_flow_in_order()
    {
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);

        await writer.WriteAsync(AcceptedHandshake);

        await writer.WriteAsync(Frame("[\"a\",1]"));
        writer.Write(Frame("[\"b\",2]"));
        await writer.FlushAsync();
        Assert.Empty(handler.Frames);

        writer.StartForwarding();
        await writer.WriteAsync(Frame("[\"c\",3]"));

        Assert.Equal(["[\"a\",1]", "[\"b\",2]", "[\"c\",3]"], handler.Frames.Select(f => f.Json));
        Assert.Equal([false, false, true], handler.Frames.Select(f => f.Shared));
    }

    [Fact]
    public async Task Frames_held_before_forwarding_are_all_kept_when_they_outgrow_the_first_buffer()
    {
        // A recovered socket's replay is written in OnConnectedAsync, before the CONNECT ack: often more than 512 bytes.
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);
        await writer.WriteAsync(AcceptedHandshake);
        var frames = Enumerable.Range(1, 10).Select(n => $"[\"event\",{{\"n\":{n},\"text\":\"{new string('x', 200)}\"}}]").ToArray();
        foreach (var json in frames)
        {
            await writer.WriteAsync(Frame(json));
        }

        writer.StartForwarding();

        Assert.Equal(frames, handler.Frames.Select(f => f.Json));
    }

    [Fact]
    public async Task What_the_hub_wrote_before_it_ended_still_reaches_the_client()
    {
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);
        await writer.WriteAsync(AcceptedHandshake);
        await writer.WriteAsync(Frame("[\"last\"]"));
        await writer.CompleteAsync();

        await writer.WriteAsync(Frame("[\"after-end\"]"));
        writer.StartForwarding();

        Assert.Equal(["[\"last\"]"], handler.Frames.Select(f => f.Json));
    }

    [Fact]
    public async Task The_handshake_response_is_never_forwarded_even_in_pieces()
    {
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);
        writer.StartForwarding();
        await writer.WriteAsync("{\"error\":"u8.ToArray());
        await writer.WriteAsync("\"no\"}\u001e"u8.ToArray());
        await writer.WriteAsync(Frame("[\"after\"]"));

        Assert.Equal(["[\"after\"]"], handler.Frames.Select(f => f.Json));
    }

    [Fact]
    public async Task Frames_flushed_with_the_handshake_response_are_kept_and_the_response_dropped()
    {
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);
        writer.Write([.. AcceptedHandshake, .. Frame("[\"held\"]")]);
        await writer.FlushAsync();
        Assert.Empty(handler.Frames);

        writer.StartForwarding();
        writer.Write([.. Frame("[\"a\"]"), .. Frame("[\"b\"]")]);
        await writer.FlushAsync();

        Assert.Equal(["[\"held\"]", "[\"a\"]", "[\"b\"]"], handler.Frames.Select(f => f.Json));
    }

    [Fact]
    public async Task A_frame_split_over_writes_is_forwarded_once_whole()
    {
        var handler = new RecordingHandler();
        var writer = new HubOutputWriter(handler);
        await writer.WriteAsync(AcceptedHandshake);
        writer.StartForwarding();

        var frame = Frame("[\"split\",\"" + new string('x', 100) + "\"]");
        await writer.WriteAsync(frame.AsMemory(0, 20));
        Assert.Empty(handler.Frames);
        await writer.WriteAsync(frame.AsMemory(20));

        Assert.Equal("split", handler.Frames.Single().Json[2..7]);
    }

    private sealed class RecordingHandler : IHubFrameHandler
    {
        public List<(string Json, bool Shared)> Frames { get; } = [];

        public void OnFrame(in BridgeFrame frame, bool shared) => Frames.Add((Encoding.UTF8.GetString(frame.Text), shared));
    }
}
