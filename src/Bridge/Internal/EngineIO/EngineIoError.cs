namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>The error codes an Engine.IO server answers a bad request with (status 400, JSON body).</summary>
internal enum EngineIoError
{
    UnknownTransport = 0,
    UnknownSessionId = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
}
