
namespace EvolutionHub.Internal.Inbound;

internal sealed partial class InboundForwarder
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Forwarding inbound event {EventName} of instance {Instance} failed.", EventName = "ForwardFailed")]
        public static partial void ForwardFailed(ILogger logger, string eventName, string instance, Exception exception);
    }
}
