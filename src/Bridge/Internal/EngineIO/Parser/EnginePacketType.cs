namespace EvolutionHub.Bridge.Internal.EngineIO.Parser;

/// <summary>Engine.IO packet types; on the wire each is its digit.</summary>
internal enum EnginePacketType : byte
{
    Open = (byte)'0',
    Close = (byte)'1',
    Ping = (byte)'2',
    Pong = (byte)'3',
    Message = (byte)'4',
    Upgrade = (byte)'5',
    Noop = (byte)'6',
}
