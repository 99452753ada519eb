namespace EvolutionHub.Internal.Farm.History;

internal sealed partial class RedisEventFeed
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "A message of the events channel could not be read.")]
        public static partial void Unreadable(ILogger logger, Exception exception);
    }
}
