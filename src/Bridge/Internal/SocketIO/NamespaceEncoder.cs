using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// Encodes the events many sockets of one namespace send alike. A group send hands each socket the same serialised
/// bytes (SignalR's <c>SerializedHubMessage</c> caches them per protocol, on one node and from the Redis backplane alike),
/// so the namespace keeps the last packet it built and gives it to every socket that brings the same JSON: one encoding
/// and one buffer per event and namespace, not per socket.
/// </summary>
internal sealed class NamespaceEncoder(string ns)
{
    private const int EventHeaderLength = 2;
    private Encoded? _last;

    public string Namespace { get; } = ns;

    /// <summary>The namespace part of every packet: empty for <c>/</c>, otherwise <c>/name,</c>.</summary>
    public byte[] Prefix { get; } = PacketEncoder.NamespacePrefix(ns);

    /// <summary>An EVENT without ack id or attachments; the packet of the previous call when its JSON was the same.</summary>
    public EnginePacket EncodeEvent(ReadOnlyMemory<byte> json)
    {
        if (Volatile.Read(ref _last) is { } last && IsSameJson(last, json))
        {
            return last.Packet;
        }

        var packet = PacketEncoder.Encode(SocketIoPacketType.Event, Prefix, null, 0, json.Span);
        Volatile.Write(ref _last, new Encoded(json, packet));
        return packet;
    }

    /// <summary>
    /// The same memory is the same JSON: the serialised message is never rewritten, and <see cref="Encoded"/> holds it, so
    /// it cannot be freed and reused. Other memory is compared by content, as a backplane hands each node its own copy.
    /// </summary>
    private bool IsSameJson(Encoded last, ReadOnlyMemory<byte> json) =>
        last.Json.Equals(json)
        || (last.Packet.Frame.Length == EventHeaderLength + Prefix.Length + json.Length
            && last.Packet.Frame.Span[(EventHeaderLength + Prefix.Length)..].SequenceEqual(json.Span));

    private sealed record Encoded(ReadOnlyMemory<byte> Json, EnginePacket Packet);
}
