using System.Buffers;
using System.Text;
using CsCheck;
using EvolutionHub.Bridge;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>
/// The Socket.IO packet decoder with its binary attachments, then the reconstruction of what it accepts: the packet as
/// the bridge hands it to the hub, bound by the <c>socketio</c> hub protocol to hub methods of every parameter shape.
/// </summary>
public sealed class SocketIoDecoderTests(ITestOutputHelper output)
{
    private const int MaxAttachments = 10;
    private const int MaxPayload = 64 * 1024;

    // Binding builds JSON trees (JsonNode, JsonElement) for untyped parameters: tens of bytes per JSON token.
    private static readonly Budget ReconstructionBudget = new(PerTextByte: 48, PerBinaryByte: 24, Constant: 64 * 1024);

    private static readonly SocketIoHubProtocol[] Protocols =
    [
        Protocol("OnAny"),
        Protocol("OnAnyJson"),
    ];

    private static readonly Gen<(byte[] Text, byte[][] Attachments)> ValidPackets = Gen.Select(
        Gen.Int[0, 4], Gen.OneOf("/", "/a", "/ns"), Gen.Int[-1, 1000], Gen.OneOf(HubBinder.Methods.Append("unknown").ToArray()),
        Inputs.Json.Array[0, 4], Gen.Byte.Array[0, 4096], Encode);

    /// <summary>What finding 1 of the hostile-input review sent: many placeholders pointing at a few large attachments.</summary>
    private static readonly Gen<(byte[] Text, byte[][] Attachments)> ReusedPlaceholders = Gen.Select(
        Gen.Int[1, 3], Gen.Int[0, 2].Array[1, 64], Gen.Int[1024, 16 * 1024], Gen.Bool,
        (attachments, references, size, isEvent) =>
        {
            var placeholders = string.Join(",", references.Select(num => $"{{\"_placeholder\":true,\"num\":{num % attachments}}}"));
            var text = isEvent ? $"5{attachments}-1[\"Tree\",[{placeholders}]]" : $"6{attachments}-2[[{placeholders}]]";
            return (Encoding.UTF8.GetBytes(text), Enumerable.Range(0, attachments).Select(_ => new byte[size]).ToArray());
        });

    private static readonly Gen<(byte[] Text, byte[][] Attachments)> Packets = Gen.OneOf(
        Gen.Select(Inputs.RandomBytes, Gen.Byte.Array[0, 20].Array[0, 3]),
        Gen.Select(Inputs.AlphabetBytes, Gen.Byte.Array[0, 20].Array[0, 3]),
        ValidPackets.SelectMany(packet => Inputs.Mutated(Gen.Const(packet.Text)).Select(text => (text, packet.Attachments))),
        ValidPackets,
        ReusedPlaceholders);

    [Fact]
    public Task Packets_with_attachments_and_their_reconstruction() => new Fuzzing(output).CheckAsync(
        "Socket.IO packet decoder and binary reconstruction", Packets, Decode, p => (p.Text.Length, p.Attachments.Sum(a => a.Length)),
        ReconstructionBudget, p => Fuzzing.Hex(p.Text) + " + " + string.Join(",", p.Attachments.Select(a => a.Length)), typeof(SocketIoProtocolException));

    /// <summary>Decodes as a session does; what decodes must bind, or fail to bind, without an exception.</summary>
    private static bool Decode((byte[] Text, byte[][] Attachments) input)
    {
        var decoder = new PacketDecoder(4, MaxAttachments, MaxPayload);
        var packet = decoder.DecodeText(input.Text);
        foreach (var attachment in input.Attachments)
        {
            packet = decoder.DecodeBinary(attachment);
        }

        if (packet is null)
        {
            return false;
        }

        foreach (var protocol in Protocols)
        {
            Reconstruct(protocol, packet);
        }

        return true;
    }

    private static void Reconstruct(SocketIoHubProtocol protocol, SocketIoPacket packet)
    {
        BridgeFrameKind kind;
        string? id;
        switch (packet.Type)
        {
            case SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent:
                (kind, id) = (BridgeFrameKind.Event, packet.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck:
                // The bridge answers a hub invocation with the invocation's id; these ids have return types of every shape.
                (kind, id) = (BridgeFrameKind.Ack, (1 + (packet.Id!.Value % 5)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                return;
        }

        var frame = new ArrayBufferWriter<byte>();
        BridgeFrame.Write(frame, kind, id, packet.Data.Span, packet.Attachments);
        var input = new ReadOnlySequence<byte>(frame.WrittenMemory);
        if (!protocol.TryParseMessage(ref input, new HubBinder(), out var message) || !input.IsEmpty)
        {
            throw new InvalidOperationException("a frame of a decoded packet was not read whole");
        }

        _ = message switch
        {
            InvocationMessage or InvocationBindingFailureMessage or CompletionMessage => message,
            _ => throw new InvalidOperationException($"unexpected {message.GetType().Name}"),
        };
    }

    private static (byte[] Text, byte[][] Attachments) Encode(int kind, string ns, int id, string name, string[] arguments, byte[] content)
    {
        var isEvent = kind is 2 or 4;
        var body = kind switch
        {
            0 => arguments.Length > 0 ? "{\"auth\":" + arguments[0] + "}" : "",
            1 => "",
            _ => "[" + string.Join(",", (isEvent ? [$"\"{name}\""] : Array.Empty<string>()).Concat(arguments)) + "]",
        };
        var (json, placeholders) = Inputs.NumberPlaceholders(body);
        var type = kind switch
        {
            0 => SocketIoPacketType.Connect,
            1 => SocketIoPacketType.Disconnect,
            2 or 4 => placeholders > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event,
            _ => placeholders > 0 ? SocketIoPacketType.BinaryAck : SocketIoPacketType.Ack,
        };
        long? ackId = type is SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck ? Math.Max(0, id) : id < 0 ? null : id;
        var frame = PacketEncoder.Encode(type, PacketEncoder.NamespacePrefix(ns), ackId, placeholders, Encoding.UTF8.GetBytes(json));
        var attachments = Enumerable.Range(0, placeholders).Select(i => content.Skip(i * 7).ToArray()).ToArray();
        return (frame.Frame[1..].ToArray(), attachments);
    }

    private static SocketIoHubProtocol Protocol(string fallback) => new(Options.Create(new SocketIoOptions
    {
        FallbackMethod = fallback,
        MaxAttachments = MaxAttachments,
        MaxPayload = MaxPayload,
    }));
}
