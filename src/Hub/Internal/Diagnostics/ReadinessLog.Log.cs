using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EvolutionHub.Internal.Diagnostics;

internal sealed partial class ReadinessLog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Not ready ({Status}): {Failures}.", EventName = "NotReady")]
        public static partial void NotReady(ILogger logger, HealthStatus status, string failures);

        [LoggerMessage(2, LogLevel.Information, "Ready again.", EventName = "Ready")]
        public static partial void Ready(ILogger logger);
    }
}
