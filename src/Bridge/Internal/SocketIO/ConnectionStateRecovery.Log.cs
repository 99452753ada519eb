using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.SocketIO;

internal sealed partial class ConnectionStateRecovery
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The Socket.IO session store failed to take a session of namespace {Namespace}; the client connects as new.", EventName = "TakeFailed")]
        public static partial void TakeFailed(ILogger logger, string @namespace, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "The Socket.IO session store failed to save socket {SocketId} of namespace {Namespace}; it cannot be recovered.", EventName = "SaveFailed")]
        public static partial void SaveFailed(ILogger logger, string socketId, string @namespace, Exception exception);
    }
}
