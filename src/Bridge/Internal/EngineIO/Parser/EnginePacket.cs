using System.Text;

namespace EvolutionHub.Bridge.Internal.EngineIO.Parser;

/// <summary>
/// An encoded outgoing Engine.IO packet. A text packet's <see cref="Frame"/> is its type digit followed by its
/// UTF-8 data (exactly a WebSocket text frame); a binary packet's is the raw message bytes (a v4 binary frame).
/// </summary>
internal readonly record struct EnginePacket(ReadOnlyMemory<byte> Frame, bool IsBinary)
{
    public static readonly EnginePacket Ping = Text(EnginePacketType.Ping);
    public static readonly EnginePacket Pong = Text(EnginePacketType.Pong);
    public static readonly EnginePacket Noop = Text(EnginePacketType.Noop);
    public static readonly EnginePacket Close = Text(EnginePacketType.Close);

    public EnginePacketType Type => IsBinary ? EnginePacketType.Message : (EnginePacketType)Frame.Span[0];

    public static EnginePacket Text(EnginePacketType type, string data = "")
    {
        var frame = new byte[1 + Encoding.UTF8.GetByteCount(data)];
        frame[0] = (byte)type;
        Encoding.UTF8.GetBytes(data, frame.AsSpan(1));
        return new EnginePacket(frame, false);
    }

    public static EnginePacket Text(EnginePacketType type, ReadOnlySpan<byte> utf8Data)
    {
        var frame = new byte[1 + utf8Data.Length];
        frame[0] = (byte)type;
        utf8Data.CopyTo(frame.AsSpan(1));
        return new EnginePacket(frame, false);
    }

    public static EnginePacket Binary(ReadOnlyMemory<byte> data) => new(data, true);
}
