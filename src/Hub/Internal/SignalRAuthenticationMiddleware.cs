namespace EvolutionHub.Internal;

/// <summary>
/// Authenticates every request of the SignalR endpoint (negotiate and transports); 401 without a valid credential. A method
/// the endpoint does not take (SignalR's routes take any and answer 405 themselves) is a 404 before the key check.
/// </summary>
public sealed class SignalRAuthenticationMiddleware(RequestDelegate next, CredentialResolver credentials)
{
    private const string NegotiateMethods = "POST";
    private const string TransportMethods = "GET, POST, DELETE";

    public async Task InvokeAsync(HttpContext context)
    {
        var accepted = context.Request.Path.Value?.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) == true ? NegotiateMethods : TransportMethods;
        if (!accepted.Split(", ").Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            await Problems.WrongMethod(context.Request, accepted).ExecuteAsync(context);
            return;
        }

        var credential = await credentials.ResolveConnectionAsync(
            ApiKeys.FromSignalRRequest(context.Request), context.Connection.RemoteIpAddress, context.RequestAborted);
        if (!credential.IsValid)
        {
            await Problems.Unauthorized(credential).ExecuteAsync(context);
            return;
        }

        context.User = credential.ToPrincipal();
        await next(context);
    }
}
