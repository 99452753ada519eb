using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.SocketIO.Recovery;

internal sealed partial class ConnectionStateRecovery
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The Socket.IO session store failed to take a session of namespace {Namespace}; the client connects as new.", EventName = "TakeFailed")]
        public static partial void TakeFailed(ILogger logger, string @namespace, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "The Socket.IO session store failed to save socket {SocketId} of namespace {Namespace}; it cannot be recovered.", EventName = "SaveFailed")]
        public static partial void SaveFailed(ILogger logger, string socketId, string @namespace, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "The Socket.IO session store failed to refresh {Failed} of {Count} live sockets; they can be recovered only until their last refresh expires.", EventName = "RefreshFailed")]
        public static partial void RefreshFailed(ILogger logger, int failed, int count, Exception exception);
    }
}
