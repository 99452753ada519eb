using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.Hubs;

internal sealed partial class HubNamespaceConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The hub connection of Socket.IO socket {SocketId} failed.", EventName = "HubConnectionFailed")]
        public static partial void HubConnectionFailed(ILogger logger, string socketId, Exception exception);

        [LoggerMessage(2, LogLevel.Debug, "Socket.IO socket {SocketId} sent event {AckId} past SocketIo:MaxPendingAcks; answering it with an error.", EventName = "TooManyPendingAcks")]
        public static partial void TooManyPendingAcks(ILogger logger, string socketId, long ackId);
    }
}
