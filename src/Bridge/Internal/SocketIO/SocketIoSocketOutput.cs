using System.Buffers;
using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>A socket's packets, encoded for its namespace and queued on its session (socket.io's <c>socket.packet</c>).</summary>
internal sealed class SocketIoSocketOutput
{
    private readonly IEngineIoSession _session;
    private readonly NamespaceEncoders _encoders;
    private readonly NamespaceEncoder _encoder;
    private int _released;

    public SocketIoSocketOutput(IEngineIoSession session, NamespaceEncoders encoders, string ns)
    {
        _session = session;
        _encoders = encoders;
        _encoder = encoders.Rent(ns);
    }

    /// <summary>The namespace part of the socket's packets, shared by the namespace's sockets.</summary>
    public byte[] NamespacePrefix => _encoder.Prefix;

    /// <summary>An EVENT without ack id or attachments whose bytes many sockets of the namespace send alike: encoded once.</summary>
    public void SendSharedEvent(ReadOnlyMemory<byte> json) => _session.Enqueue(_encoder.EncodeEvent(json));

    /// <summary>A packet and its binary attachments.</summary>
    public void Send(SocketIoPacketType type, long? ackId, in ReadOnlySequence<byte> json, IReadOnlyList<ReadOnlySequence<byte>> attachments)
    {
        var packet = json.IsSingleSegment
            ? PacketEncoder.Encode(type, _encoder.Prefix, ackId, attachments.Count, json.FirstSpan)
            : PacketEncoder.Encode(type, _encoder.Prefix, ackId, attachments.Count, json.ToArray());
        _session.Enqueue(packet);
        foreach (var attachment in attachments)
        {
            _session.Enqueue(EnginePacket.Binary(attachment.ToArray()));
        }
    }

    /// <summary>A packet without attachments.</summary>
    public void Send(SocketIoPacketType type, long? ackId, ReadOnlySpan<byte> json) =>
        _session.Enqueue(PacketEncoder.Encode(type, _encoder.Prefix, ackId, 0, json));

    /// <summary>The server ended the socket: the client learns its namespace is disconnected.</summary>
    public void SendDisconnect() => Send(SocketIoPacketType.Disconnect, null, []);

    /// <summary>The socket ended: the namespace's encoder is no longer its. Only the first call counts.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _encoders.Return(_encoder);
        }
    }
}
