namespace EvolutionHub.Internal.Instances;

internal sealed partial class ConfiguredInstancesSeeder
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Instances:{Instance} is not a valid instance name; skipped.", EventName = "InvalidName")]
        public static partial void InvalidName(ILogger logger, string instance);

        [LoggerMessage(2, LogLevel.Warning, "Instances:{Instance}:Token is already held by another instance; not registered.", EventName = "TokenConflict")]
        public static partial void TokenConflict(ILogger logger, string instance);

        [LoggerMessage(3, LogLevel.Warning, "Instances:{Instance}:Websocket:Events has a name outside Evolution API's table; settings not stored.", EventName = "UnknownFilterName")]
        public static partial void UnknownFilterName(ILogger logger, string instance);

        [LoggerMessage(4, LogLevel.Warning, "The instances of the configuration could not be registered yet; retrying.", EventName = "StoreUnavailable")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);
    }
}
