namespace EvolutionHub.Internal.Dispatch;

internal sealed partial class EventLanes
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Delivering the events of stream {Stream} failed.")]
        public static partial void DeliveryFailed(ILogger logger, string stream, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Writing events to clients failed or timed out.")]
        public static partial void SendFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Stream {Stream}: this node missed the events after {Delivered} before {Offset}; reading them from the history.")]
        public static partial void Gap(ILogger logger, string stream, string delivered, string offset);

        [LoggerMessage(4, LogLevel.Error, "Stream {Stream}: the history no longer holds the events after {Delivered}; going on from {Last}.")]
        public static partial void Lost(ILogger logger, string stream, string delivered, string last);
    }
}
