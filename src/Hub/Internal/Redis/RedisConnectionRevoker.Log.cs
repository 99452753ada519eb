namespace EvolutionHub.Internal.Redis;

public sealed partial class RedisConnectionRevoker
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Disconnected {Count} connection(s) holding the revoked token of instance {Instance}.")]
        public static partial void Revoked(ILogger logger, int count, string instance);
    }
}
