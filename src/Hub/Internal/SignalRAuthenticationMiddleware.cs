namespace EvolutionHub.Internal;

/// <summary>Authenticates every request of the SignalR endpoint (negotiate and transports); 401 without a valid credential.</summary>
public sealed class SignalRAuthenticationMiddleware(RequestDelegate next, CredentialResolver credentials)
{
    public async Task InvokeAsync(HttpContext context)
    {
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
