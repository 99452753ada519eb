using System.Text.Json;
using EvolutionHub.Bridge;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Instances;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// Authorizes each Socket.IO namespace CONNECT (README, Clients, Socket.IO): the key from the CONNECT <c>auth</c>, <c>?apikey=</c> or the
/// <c>apikey</c> header, first found wins, else an allowed address whose Engine.IO request came with no origin or an allowed
/// one. <c>/</c> needs the global key; <c>/{instance}</c> the global key or that instance's token. An address refused for its
/// failed authentications gets <c>Too many attempts</c>, whatever it sends. A client that asks to recover its socket is
/// checked as any other, then recovers it only if the namespace's history can continue from its offset.
/// </summary>
internal sealed partial class SocketIoAuthorizer(CredentialResolver credentials, FailedAuthentications failures, IEventLog history,
    ILogger<SocketIoAuthorizer> logger)
    : ISocketIoConnectHandler
{
    private const string UnauthorizedMessage = "Unauthorized";
    private const string TooManyAttemptsMessage = "Too many attempts";
    private const string OriginNotAllowedMessage = "Origin not allowed";

    public async ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken)
    {
        var instance = context.Namespace == "/" ? null : context.Namespace[1..];
        if (instance is not null && !InstanceNames.IsValid(instance))
        {
            Log.InvalidNamespace(logger, context.Socket.SocketId);
            return SocketIoConnectResult.Reject("Invalid namespace");
        }

        var address = context.Socket.RemoteIpAddress;
        if (failures.IsBlocked(address, out _))
        {
            Log.Rejected(logger, context.Namespace, TooManyAttemptsMessage);
            return SocketIoConnectResult.Reject(TooManyAttemptsMessage);
        }

        var origin = context.Socket.Headers.Origin;
        if (credentials.RefusesOrigin(origin))
        {
            Log.Rejected(logger, context.Namespace, OriginNotAllowedMessage);
            return SocketIoConnectResult.Reject(OriginNotAllowedMessage);
        }

        var key = KeyOf(context.Auth) ?? NonEmpty(context.Socket.Query[ApiKeys.Name]) ?? NonEmpty(context.Socket.Headers[ApiKeys.Name]);
        var credential = await credentials.ResolveConnectionAsync(key, address, origin, cancellationToken);
        if (credential.Kind == CredentialKind.Unknown)
        {
            failures.RecordFailure(address);
        }

        var allowed = instance is null ? credential.IsGlobal || IsImplicitRootOfEngineIoV3(context, credential) : credential.Allows(instance);
        if (!allowed)
        {
            Log.Rejected(logger, context.Namespace, $"{credential.Kind} credential");
            return SocketIoConnectResult.Reject(UnauthorizedMessage);
        }

        context.User = credential.ToPrincipal();
        if (context.Recovery is { CanRecover: true } recovery && !await CanContinueAsync(instance, recovery.Offset, cancellationToken))
        {
            Log.NotRecovered(logger, context.Namespace, recovery.Offset);
            return SocketIoConnectResult.AcceptAsNew();
        }

        return SocketIoConnectResult.Accept();
    }

    /// <summary>
    /// Whether the history of the namespace's stream still holds what came after <paramref name="offset"/>: a read of no
    /// event, which costs one lookup of the offset whatever the stream's length.
    /// </summary>
    private async Task<bool> CanContinueAsync(string? instance, string offset, CancellationToken cancellationToken)
    {
        var stream = instance is null ? HistoryStream.Global : HistoryStream.Of(instance);
        return await history.ReadAfterAsync(stream, offset, 0, cancellationToken) is not null;
    }

    /// <summary>
    /// An Engine.IO v3 session joins <c>/</c> by itself, as Socket.IO 2 servers did, and socket.io-client 2.x hands an error
    /// of <c>/</c> to every namespace it opened: refusing an instance token there would refuse it its own namespace too. So
    /// on v3 a valid instance token is let into <c>/</c>, where it receives nothing (EventsHub joins only the global key
    /// to the global group).
    /// </summary>
    private static bool IsImplicitRootOfEngineIoV3(SocketIoConnectContext context, Credential credential) =>
        context.Socket.EngineProtocol == 3 && credential.Kind == CredentialKind.Instance;

    private static string? KeyOf(JsonElement? auth) =>
        auth is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(ApiKeys.Name, out var key) && key.ValueKind == JsonValueKind.String
            ? NonEmpty(key.GetString())
            : null;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
