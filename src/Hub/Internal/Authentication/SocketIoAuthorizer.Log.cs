namespace EvolutionHub.Internal.Authentication;

internal sealed partial class SocketIoAuthorizer
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Socket.IO CONNECT to {Namespace} refused: {Reason}.", EventName = "Rejected")]
        public static partial void Rejected(ILogger logger, string @namespace, string reason);

        [LoggerMessage(2, LogLevel.Information, "Socket.IO socket {SocketId} asked for an invalid namespace.", EventName = "InvalidNamespace")]
        public static partial void InvalidNamespace(ILogger logger, string socketId);

        [LoggerMessage(3, LogLevel.Information, "Socket.IO socket of {Namespace} connects as new: the history cannot continue from its offset '{Offset}'.", EventName = "NotRecovered")]
        public static partial void NotRecovered(ILogger logger, string @namespace, string offset);
    }
}
