using EvolutionHub.Internal.Authentication;

namespace EvolutionHub;

internal sealed partial class EventsHub
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} opened with a {CredentialKind} credential.", EventName = "ConnectionOpened")]
        public static partial void Connected(ILogger logger, string connectionId, CredentialKind credentialKind);

        [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} closed.", EventName = "ConnectionClosed")]
        public static partial void Disconnected(ILogger logger, string connectionId);
    }
}
