using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.HttpApi;
using Microsoft.Net.Http.Headers;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// Authenticates every request of the SignalR endpoint (negotiate and transports). A method the endpoint does not take
/// (SignalR's routes take any and answer 405 themselves) is a 404 before the key check; then, in this order: 429 while the
/// client's address is refused for its failed authentications, 403 for an origin <c>Websocket:RequireAllowedOrigin</c>
/// refuses, 401 without a valid credential (an unknown key counts as a failed authentication), and 429 for a new connection
/// from an address at <c>Limits:MaxConnectionsPerAddress</c>.
/// </summary>
internal sealed class SignalRAuthenticationMiddleware(
    RequestDelegate next, CredentialResolver credentials, FailedAuthentications failures, ConnectionsPerAddress connections)
{
    private const string NegotiateMethods = "POST";
    private const string TransportMethods = "GET, POST, DELETE";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var negotiate = request.Path.Value?.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) == true;
        var accepted = negotiate ? NegotiateMethods : TransportMethods;
        if (!accepted.Split(", ").Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            await Problems.WrongMethod(request, accepted).ExecuteAsync(context);
            return;
        }

        var address = context.Connection.RemoteIpAddress;
        if (failures.IsBlocked(address, out var retryAfter))
        {
            await Problems.TooManyAttempts(context, retryAfter).ExecuteAsync(context);
            return;
        }

        var origin = request.Headers[HeaderNames.Origin];
        if (credentials.RefusesOrigin(origin))
        {
            await Problems.OriginNotAllowed().ExecuteAsync(context);
            return;
        }

        var credential = await credentials.ResolveConnectionAsync(ApiKeys.FromSignalRRequest(request), address, origin, context.RequestAborted);
        if (!credential.IsValid)
        {
            if (credential.Kind == CredentialKind.Unknown)
            {
                failures.RecordFailure(address);
            }

            await Problems.Unauthorized(credential).ExecuteAsync(context);
            return;
        }

        // A negotiate, or a WebSocket that skipped it, asks for a new connection; requests of a connection carry its id.
        if ((negotiate || !request.Query.ContainsKey("id")) && connections.IsFull(address))
        {
            await Problems.TooManyConnections().ExecuteAsync(context);
            return;
        }

        context.User = credential.ToPrincipal();
        await next(context);
    }
}
