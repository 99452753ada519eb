namespace EvolutionHub.Bridge.Internal.SocketIO.Parser;

/// <summary>
/// A decoded incoming Socket.IO packet. <see cref="Data"/> is its UTF-8 JSON (empty when absent); binary packets
/// carry their attachments, in order, once all have arrived.
/// </summary>
internal sealed class SocketIoPacket(SocketIoPacketType type, string @namespace, string? query, long? id, ReadOnlyMemory<byte> data, int attachmentCount)
{
    public SocketIoPacketType Type { get; } = type;

    public string Namespace { get; } = @namespace;

    /// <summary>The query a Socket.IO v4-protocol client appends to the namespace of a CONNECT (<c>/nsp?x=y,</c>).</summary>
    public string? Query { get; } = query;

    public long? Id { get; } = id;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public int AttachmentCount { get; } = attachmentCount;

    public List<ReadOnlyMemory<byte>> Attachments { get; } = attachmentCount == 0 ? [] : new(attachmentCount);

    public bool IsComplete => Attachments.Count == AttachmentCount;
}
