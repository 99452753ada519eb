using System.Buffers;
using System.Text;
using CsCheck;
using EvolutionHub.Bridge;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>
/// The <c>socketio</c> hub protocol's reading side: the frame reader within its limits, and the binding of whatever frames
/// it reads to hub methods, as SignalR drives it (parse until the input holds no whole frame).
/// </summary>
public sealed class HubProtocolTests(ITestOutputHelper output)
{
    // A frame's attachments are slices of the input, held in an array: 24 bytes for each 4-byte length, so a frame of empty
    // attachments costs up to 6 times its size.
    private static readonly Budget FrameBudget = new(PerTextByte: 8, PerBinaryByte: 0, Constant: 4 * 1024);
    private static readonly Budget BindingBudget = new(PerTextByte: 48, PerBinaryByte: 24, Constant: 64 * 1024);

    private static readonly SocketIoOptions Limits = new() { FallbackMethod = "OnAny", MaxAttachments = 10, MaxPayload = 64 * 1024 };
    private static readonly SocketIoHubProtocol Protocol = new(Options.Create(Limits));

    private static readonly Gen<byte[]> Frame = Gen.Select(
        Gen.OneOf((byte)'E', (byte)'A', (byte)'P', (byte)'C', (byte)'x'),
        Gen.OneOf<string?>(null, "1", "2", "3", "4", "5", "42", "é"),
        Gen.Select(Gen.OneOf(HubBinder.Methods.Append("unknown").ToArray()), Inputs.Json.Array[0, 4]),
        Gen.Bool,
        Gen.Byte.Array[0, 4096],
        Write);

    /// <summary>Frames whose placeholders point at a few large attachments again and again, as only a hostile client would.</summary>
    private static readonly Gen<byte[]> ReusedPlaceholders = Gen.Select(Gen.Int[1, 3], Gen.Int[0, 2].Array[1, 64], Gen.Int[1024, 16 * 1024], (attachments, references, size) =>
    {
        var placeholders = string.Join(",", references.Select(num => $"{{\"_placeholder\":true,\"num\":{num % attachments}}}"));
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Event, "1", Encoding.UTF8.GetBytes($"[\"Json\",[{placeholders}]]"),
            Enumerable.Range(0, attachments).Select(_ => (ReadOnlyMemory<byte>)new byte[size]).ToList());
        return output.WrittenSpan.ToArray();
    });

    /// <summary>Frames of empty attachments, the most bookkeeping per byte a frame can ask for.</summary>
    private static readonly Gen<byte[]> EmptyAttachments = Gen.Int[1, 200].Select(count => Enumerable.Range(0, count).SelectMany(_ =>
    {
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, BridgeFrameKind.Event, null, "[\"Tree\",[]]"u8, Enumerable.Repeat(ReadOnlyMemory<byte>.Empty, 10).ToList());
        return output.WrittenSpan.ToArray();
    }).ToArray());

    private static readonly Gen<byte[]> Frames = Gen.OneOf(Inputs.Around(Frame.Array[1, 3].Select(frames => frames.SelectMany(f => f).ToArray())), ReusedPlaceholders, EmptyAttachments);

    [Fact]
    public Task Frame_reader() => new Fuzzing(output).CheckAsync("hub protocol frame reader", Frames, ReadFrames, bytes => (bytes.Length, 0), FrameBudget, Fuzzing.Hex,
        typeof(InvalidDataException));

    [Fact]
    public Task Frames_bound_to_hub_methods() => new Fuzzing(output).CheckAsync("hub protocol binding", Frames, ParseMessages, Size, BindingBudget, Fuzzing.Hex,
        typeof(InvalidDataException));

    /// <summary>The input's attachment bytes, as far as it reads as frames, and the rest.</summary>
    private static (int Text, int Binary) Size(byte[] bytes)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        var binary = 0;
        try
        {
            while (BridgeFrame.TryRead(ref input, out var frame))
            {
                binary += frame.Attachments.Sum(a => (int)a.Length);
            }
        }
        catch (InvalidDataException)
        {
        }

        return (bytes.Length - binary, binary);
    }

    private static bool ReadFrames(byte[] bytes)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        var read = false;
        while (BridgeFrame.TryRead(ref input, out _, BridgeFrameLimits.ForClients(Limits)))
        {
            read = true;
        }

        return read;
    }

    private static bool ParseMessages(byte[] bytes)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        var parsed = false;
        while (Protocol.TryParseMessage(ref input, new HubBinder(), out _))
        {
            parsed = true;
        }

        return parsed;
    }

    private static byte[] Write(byte kind, string? id, (string Method, string[] Arguments) call, bool isEvent, byte[] content)
    {
        var body = "[" + string.Join(",", (isEvent ? [$"\"{call.Method}\""] : Array.Empty<string>()).Concat(call.Arguments)) + "]";
        var (json, placeholders) = Inputs.NumberPlaceholders(body);
        var attachments = Enumerable.Range(0, placeholders).Select(i => (ReadOnlyMemory<byte>)content.Skip(i * 7).ToArray()).ToList();
        var output = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(output, (BridgeFrameKind)kind, id, Encoding.UTF8.GetBytes(json), attachments);
        return output.WrittenSpan.ToArray();
    }
}
