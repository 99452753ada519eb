namespace EvolutionHub.Bridge.Internal.EngineIO;

internal enum EngineTransportKind
{
    Polling,
    WebSocket,
}
