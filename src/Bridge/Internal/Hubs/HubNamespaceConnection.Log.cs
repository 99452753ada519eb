using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

internal sealed partial class HubNamespaceConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The hub connection of Socket.IO socket {SocketId} failed.", EventName = "HubConnectionFailed")]
        public static partial void HubConnectionFailed(ILogger logger, string socketId, Exception exception);
    }
}
