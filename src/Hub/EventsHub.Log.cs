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

        [LoggerMessage(3, LogLevel.Warning, "Recovered Socket.IO socket {ConnectionId} of {Namespace} receives live events only: the history was trimmed past its offset '{Offset}' after its CONNECT was accepted.", EventName = "RecoveredWithoutReplay")]
        public static partial void RecoveredWithoutReplay(ILogger logger, string connectionId, string @namespace, string offset);
    }
}
