using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.HttpApi;

namespace EvolutionHub.Internal.Metrics;

/// <summary>The global key in the <c>apikey</c> header, else the HTTP API's 401 or 403 problem: for endpoints that are not route handlers.</summary>
internal sealed class GlobalKeyMiddleware(RequestDelegate next, CredentialResolver credentials)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var credential = await credentials.ResolveKeyAsync(ApiKeys.FromHeader(context.Request), context.RequestAborted);
        if (!credential.IsValid)
        {
            await Problems.Unauthorized(credential).ExecuteAsync(context);
            return;
        }

        if (!credential.IsGlobal)
        {
            await Problems.Forbidden().ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
