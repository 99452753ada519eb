using System.Runtime.InteropServices;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// Encodes the hub's events for every live connection of one namespace. A group send hands each connection the same
/// serialised bytes (SignalR's <c>SerializedHubMessage</c> caches them per protocol, on one node and from the Redis
/// backplane alike), so the namespace keeps the packet it built for the last of them and gives it to every connection
/// that brings those same bytes: one encoding and one buffer per event and namespace, not per socket.
/// </summary>
internal sealed class NamespaceEncoder(string ns)
{
    private SharedEvent? _last;

    public string Namespace { get; } = ns;

    /// <summary>The namespace part of every packet: empty for <c>/</c>, otherwise <c>/name,</c>.</summary>
    public byte[] Prefix { get; } = PacketEncoder.NamespacePrefix(ns);

    /// <summary>Connections holding this encoder; guarded by <see cref="NamespaceEncoders"/>.</summary>
    public int Users { get; set; }

    /// <summary>
    /// An EVENT without ack id or attachments whose JSON lies in bytes no one writes to again, as those of a serialised
    /// hub message. Equal bytes are recognised by identity: the kept packet holds on to them, so they cannot be reused
    /// for another message while it is kept.
    /// </summary>
    public EnginePacket EncodeSharedEvent(ReadOnlyMemory<byte> json)
    {
        if (!MemoryMarshal.TryGetArray(json, out var segment))
        {
            return PacketEncoder.Encode(SocketIoPacketType.Event, Prefix, null, 0, json.Span);
        }

        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Source, segment.Array) && last.Offset == segment.Offset && last.Length == segment.Count)
        {
            return last.Packet;
        }

        var packet = PacketEncoder.Encode(SocketIoPacketType.Event, Prefix, null, 0, json.Span);
        Volatile.Write(ref _last, new SharedEvent(segment.Array!, segment.Offset, segment.Count, packet));
        return packet;
    }

    private sealed record SharedEvent(byte[] Source, int Offset, int Length, EnginePacket Packet);
}
