namespace EvolutionHub.Bridge.Internal.EngineIO.Parser;

/// <summary>A decoded incoming Engine.IO packet: its type and its data (UTF-8 text, or raw bytes when binary).</summary>
internal readonly record struct EngineMessage(EnginePacketType Type, ReadOnlyMemory<byte> Data, bool IsBinary);
