
namespace EvolutionHub.Internal.Dispatch;

internal sealed partial class OrderedEventDispatcher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Sending event {EventName} of instance {Instance} failed.", EventName = "SendFailed")]
        public static partial void SendFailed(ILogger logger, string eventName, string instance, Exception exception);
    }
}
