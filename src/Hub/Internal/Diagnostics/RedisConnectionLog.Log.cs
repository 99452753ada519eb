using StackExchange.Redis;

namespace EvolutionHub.Internal.Diagnostics;

internal sealed partial class RedisConnectionLog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Redis connected: {Endpoints}.", EventName = "Connected")]
        public static partial void Connected(ILogger logger, string endpoints);

        [LoggerMessage(2, LogLevel.Warning, "Redis unreachable at start-up ({Endpoints}): the node serves nothing that needs it and retries every second.", EventName = "Unreachable")]
        public static partial void Unreachable(ILogger logger, string endpoints);

        [LoggerMessage(3, LogLevel.Warning, "Redis connection lost ({Endpoint}, {FailureType}): the node keeps its clients, refuses what needs Redis with 503 and reconnects every second.", EventName = "Lost")]
        public static partial void Lost(ILogger logger, string endpoint, ConnectionFailureType failureType);

        [LoggerMessage(4, LogLevel.Information, "Redis connection back: {Endpoints}.", EventName = "Restored")]
        public static partial void Restored(ILogger logger, string endpoints);
    }
}
