namespace EvolutionHub.Internal.Connections;

internal sealed partial class SignalRConnectionGuard
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "SignalR connection {ConnectionId} aborted: more than {MaxBufferedBytes} bytes waited for a client that does not read.", EventName = "TooSlow")]
        public static partial void TooSlow(ILogger logger, string connectionId, long maxBufferedBytes);

        [LoggerMessage(2, LogLevel.Information, "SignalR connection {ConnectionId} refused: its address holds Limits:MaxConnectionsPerAddress connections.", EventName = "TooManyConnections")]
        public static partial void TooManyConnections(ILogger logger, string connectionId);
    }
}
