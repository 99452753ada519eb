namespace EvolutionHub.Internal.Farm.Connections;

internal sealed partial class RedisConnectionTracker
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Node {NodeId} could not write its connection counts to Redis; it retries on every heartbeat.", EventName = "SnapshotFailed")]
        public static partial void SnapshotFailed(ILogger logger, string nodeId, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "Node {NodeId} writes its connection counts to Redis again.", EventName = "SnapshotRestored")]
        public static partial void SnapshotRestored(ILogger logger, string nodeId);

        [LoggerMessage(3, LogLevel.Warning, "Node {NodeId} stopped without removing its connection counts from Redis; the other nodes drop them after {NodeTimeout}.", EventName = "CountsLeftBehind")]
        public static partial void CountsLeftBehind(ILogger logger, string nodeId, TimeSpan nodeTimeout, Exception? exception = null);
    }
}
