using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

internal sealed partial class HubNamespaceConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The hub connection of Socket.IO socket {SocketId} failed.", EventName = "HubConnectionFailed")]
        public static partial void HubConnectionFailed(ILogger logger, string socketId, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Forwarding the hub's messages to Socket.IO socket {SocketId} failed.", EventName = "PumpFailed")]
        public static partial void PumpFailed(ILogger logger, string socketId, Exception exception);
    }
}
