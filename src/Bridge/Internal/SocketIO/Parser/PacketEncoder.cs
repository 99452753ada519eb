using System.Buffers.Text;
using System.Text;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;

namespace EvolutionHub.Bridge.Internal.SocketIO.Parser;

/// <summary>
/// Encodes outgoing Socket.IO packets straight into Engine.IO message frames
/// (<c>4</c> + <c>type[attachments-][/namespace,][id][json]</c>), in one allocation.
/// </summary>
internal static class PacketEncoder
{
    /// <summary>The namespace part of a packet: empty for <c>/</c>, otherwise <c>/name,</c>.</summary>
    public static byte[] NamespacePrefix(string ns) => ns == "/" ? [] : Encoding.UTF8.GetBytes(ns + ",");

    public static EnginePacket Encode(SocketIoPacketType type, ReadOnlySpan<byte> namespacePrefix, long? id, int attachments, ReadOnlySpan<byte> json)
    {
        Span<byte> digits = stackalloc byte[40];
        var length = 0;
        if (attachments > 0)
        {
            Utf8Formatter.TryFormat(attachments, digits, out var written);
            digits[written] = (byte)'-';
            length = written + 1;
        }

        var attachmentPart = digits[..length];
        var idLength = 0;
        if (id is { } value)
        {
            Utf8Formatter.TryFormat(value, digits[length..], out idLength);
        }

        ReadOnlySpan<byte> idPart = digits.Slice(length, idLength);

        var frame = new byte[2 + attachmentPart.Length + namespacePrefix.Length + idPart.Length + json.Length];
        frame[0] = (byte)EnginePacketType.Message;
        frame[1] = (byte)('0' + (byte)type);
        var rest = frame.AsSpan(2);
        attachmentPart.CopyTo(rest);
        rest = rest[attachmentPart.Length..];
        namespacePrefix.CopyTo(rest);
        rest = rest[namespacePrefix.Length..];
        idPart.CopyTo(rest);
        json.CopyTo(rest[idPart.Length..]);
        return new EnginePacket(frame, false);
    }
}
