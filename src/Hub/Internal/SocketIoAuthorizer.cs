using System.Text.Json;
using EvolutionHub.Bridge;

namespace EvolutionHub.Internal;

/// <summary>
/// Authorizes each Socket.IO namespace CONNECT (CONTRACT §4): the key from the CONNECT <c>auth</c>, <c>?apikey=</c> or the
/// <c>apikey</c> header, first found wins, else an allowed address. <c>/</c> needs the global key; <c>/{instance}</c> the
/// global key or that instance's token.
/// </summary>
public sealed partial class SocketIoAuthorizer(CredentialResolver credentials, ILogger<SocketIoAuthorizer> logger) : ISocketIoConnectHandler
{
    private const string UnauthorizedMessage = "Unauthorized";

    public async ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken)
    {
        var instance = context.Namespace == "/" ? null : context.Namespace[1..];
        if (instance is not null && !InstanceNames.IsValid(instance))
        {
            Log.InvalidNamespace(logger, context.Socket.SocketId);
            return SocketIoConnectResult.Reject("Invalid namespace");
        }

        var key = KeyOf(context.Auth) ?? NonEmpty(context.Socket.Query[ApiKeys.Name]) ?? NonEmpty(context.Socket.Headers[ApiKeys.Name]);
        var credential = await credentials.ResolveConnectionAsync(key, context.Socket.RemoteIpAddress, cancellationToken);
        var allowed = instance is null ? credential.IsGlobal || IsImplicitRootOfEngineIoV3(context, credential) : credential.Allows(instance);
        if (!allowed)
        {
            Log.Rejected(logger, context.Namespace, credential.Kind);
            return SocketIoConnectResult.Reject(UnauthorizedMessage);
        }

        context.User = credential.ToPrincipal();
        return SocketIoConnectResult.Accept();
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
