namespace EvolutionHub.Internal.Farm.Connections;

internal sealed partial class RedisCredentialRecheck
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The tokens of this node's connections could not be checked against Redis; the check is retried every second.", EventName = "RecheckFailed")]
        public static partial void RecheckFailed(ILogger logger, Exception exception);
    }
}
