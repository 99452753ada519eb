using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO.Transports;

internal sealed partial class PollingTransport
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} sent a second poll while one was pending; closing it.", EventName = "OverlappingPoll")]
        public static partial void OverlappingPoll(ILogger logger, string sessionId);

        [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} sent a body over maxPayload ({Limit} bytes); closing it.", EventName = "PayloadTooLarge")]
        public static partial void PayloadTooLarge(ILogger logger, string sessionId, int limit);
    }
}
