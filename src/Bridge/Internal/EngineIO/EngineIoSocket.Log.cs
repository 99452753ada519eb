using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO;

internal sealed partial class EngineIoSocket
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} closed: {Reason}.", EventName = "SessionClosed")]
        public static partial void Closed(ILogger logger, string sessionId, string reason);

        [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} sent a packet of type {Type} that is not allowed here.", EventName = "UnexpectedPacket")]
        public static partial void UnexpectedPacket(ILogger logger, string sessionId, char type);

        [LoggerMessage(3, LogLevel.Debug, "Engine.IO session {SessionId} sent malformed input: {Detail}.", EventName = "ProtocolError")]
        public static partial void ProtocolError(ILogger logger, string sessionId, string detail);

        [LoggerMessage(4, LogLevel.Warning, "Engine.IO session {SessionId} is a slow consumer: {Bytes} bytes in {Packets} packets wait to be sent, over SocketIo:MaxBufferedBytes ({ByteLimit}) or SocketIo:MaxBufferedPackets ({PacketLimit}); closing it.", EventName = "SlowConsumer")]
        public static partial void SlowConsumer(ILogger logger, string sessionId, long bytes, int packets, long byteLimit, int packetLimit);

        [LoggerMessage(5, LogLevel.Error, "The application of Engine.IO session {SessionId} failed; closing the session.", EventName = "ApplicationFailed")]
        public static partial void ApplicationFailed(ILogger logger, string sessionId, Exception exception);
    }
}
