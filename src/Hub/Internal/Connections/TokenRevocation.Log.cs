namespace EvolutionHub.Internal.Connections;

internal sealed partial class TokenRevocation
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Disconnected {Count} connection(s) holding a revoked token of instance {Instance}.", EventName = "Revoked")]
        public static partial void Revoked(ILogger logger, int count, string instance);

        [LoggerMessage(2, LogLevel.Warning, "The token of instance {Instance} could not be read to check its connections; they are disconnected.", EventName = "CheckFailed")]
        public static partial void CheckFailed(ILogger logger, string instance, Exception exception);
    }
}
