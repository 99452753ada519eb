using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO.Transports;

internal sealed partial class WebSocketTransport
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} could not upgrade to WebSocket: {Reason}.", EventName = "UpgradeFailed")]
        public static partial void UpgradeFailed(ILogger logger, string sessionId, string reason);

        [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} sent a WebSocket message over maxPayload ({Limit} bytes); closing it.", EventName = "FrameTooLarge")]
        public static partial void FrameTooLarge(ILogger logger, string sessionId, int limit);
    }
}
