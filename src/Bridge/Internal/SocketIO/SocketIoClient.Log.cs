using Microsoft.Extensions.Logging;
using EvolutionHub.Bridge.Internal.SocketIO.Parser;

namespace EvolutionHub.Bridge.Internal.SocketIO;

internal sealed partial class SocketIoClient
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} sent a malformed Socket.IO packet: {Detail}.", EventName = "MalformedPacket")]
        public static partial void MalformedPacket(ILogger logger, string sessionId, string detail);

        [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} sent {Type} for namespace {Namespace} in the wrong state.", EventName = "InvalidState")]
        public static partial void InvalidState(ILogger logger, string sessionId, SocketIoPacketType type, string @namespace);

        [LoggerMessage(3, LogLevel.Debug, "Engine.IO session {SessionId} was refused namespace {Namespace}: {Reason}.", EventName = "ConnectRefused")]
        public static partial void ConnectRefused(ILogger logger, string sessionId, string @namespace, string reason);

        [LoggerMessage(4, LogLevel.Debug, "Engine.IO session {SessionId} joined no namespace in time; closing it.", EventName = "ConnectTimeout")]
        public static partial void ConnectTimeout(ILogger logger, string sessionId);

        [LoggerMessage(5, LogLevel.Error, "Connecting Engine.IO session {SessionId} to namespace {Namespace} failed.", EventName = "ConnectFailed")]
        public static partial void ConnectFailed(ILogger logger, string sessionId, string @namespace, Exception exception);
    }
}
