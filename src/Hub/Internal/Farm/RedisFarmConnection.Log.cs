namespace EvolutionHub.Internal.Farm;

internal sealed partial class RedisFarmConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis refuses the farm's writes: the node is not ready and answers 503 until Redis takes them again.", EventName = "Refusing")]
        public static partial void Refusing(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "Redis takes the farm's writes again.", EventName = "Accepting")]
        public static partial void Accepting(ILogger logger);
    }
}
