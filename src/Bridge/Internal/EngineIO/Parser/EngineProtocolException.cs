namespace EvolutionHub.Bridge.Internal.EngineIO.Parser;

/// <summary>Input that does not follow the Engine.IO protocol.</summary>
internal sealed class EngineProtocolException(string message) : Exception(message);
