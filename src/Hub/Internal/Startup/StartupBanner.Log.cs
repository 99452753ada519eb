namespace EvolutionHub.Internal.Startup;

internal sealed partial class StartupBanner
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information,
            "EvolutionHub {Version} started ({Environment})\n" +
            "  URLs:           {Urls}\n" +
            "  mode:           {Mode}\n" +
            "  storage:        {Storage}\n" +
            "  CORS origins:   {CorsOrigins}\n" +
            "  inbound:        {Inbound}\n" +
            "  Socket.IO path: {SocketIoPath}\n" +
            "  dashboard:      {Dashboard}, metrics: /metrics", EventName = "Started")]
        public static partial void Started(
            ILogger logger, string version, string environment, string urls, string mode, string storage, string corsOrigins, string inbound, string socketIoPath, string dashboard);
    }
}
