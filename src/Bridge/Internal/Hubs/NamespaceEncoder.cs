using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// Encodes the hub's events for every live connection of one namespace. A group send hands each connection the same
/// serialised bytes (SignalR's <c>SerializedHubMessage</c> caches them per protocol, on one node and from the Redis
/// backplane alike), so the namespace keeps the last packet it built and gives it to every connection that brings the
/// same JSON: one encoding and one buffer per event and namespace, not per socket.
/// </summary>
internal sealed class NamespaceEncoder(string ns)
{
    private const int EventHeaderLength = 2;
    private Encoded? _last;

    public string Namespace { get; } = ns;

    /// <summary>The namespace part of every packet: empty for <c>/</c>, otherwise <c>/name,</c>.</summary>
    public byte[] Prefix { get; } = PacketEncoder.NamespacePrefix(ns);

    /// <summary>An EVENT without ack id or attachments; the packet of the previous call when its JSON was the same.</summary>
    public EnginePacket EncodeEvent(ReadOnlySpan<byte> json)
    {
        // Compared by content, not by the identity of the bytes: nothing here depends on who owns or reuses them.
        if (Volatile.Read(ref _last) is { Packet.Frame: var frame } last && frame.Length == EventHeaderLength + Prefix.Length + json.Length
            && frame.Span[(EventHeaderLength + Prefix.Length)..].SequenceEqual(json))
        {
            return last.Packet;
        }

        var packet = PacketEncoder.Encode(SocketIoPacketType.Event, Prefix, null, 0, json);
        Volatile.Write(ref _last, new Encoded(packet));
        return packet;
    }

    private sealed record Encoded(EnginePacket Packet);
}
