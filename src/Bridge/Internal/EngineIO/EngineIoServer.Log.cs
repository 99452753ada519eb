using System.Net;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO;

internal sealed partial class EngineIoServer
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} opened (protocol {Protocol}, {Transport}).", EventName = "SessionOpened")]
        public static partial void Opened(ILogger logger, string sessionId, int protocol, EngineTransportKind transport);

        [LoggerMessage(2, LogLevel.Debug, "Engine.IO handshake from {Address} refused: {Reason}.", EventName = "HandshakeRefused")]
        public static partial void Refused(ILogger logger, IPAddress? address, string reason);

        [LoggerMessage(3, LogLevel.Information, "The host is stopping: closing the transports of {SessionCount} Engine.IO sessions so that their clients reconnect elsewhere.", EventName = "ClosingForShutdown")]
        public static partial void ClosingForShutdown(ILogger logger, int sessionCount);
    }
}
