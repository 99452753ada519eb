using Microsoft.Net.Http.Headers;

namespace EvolutionHub.Internal.HttpApi;

/// <summary>
/// The HTTP API knows no 405 (README, HTTP API): a route is a method and a path, so a known path asked with another method
/// is an unknown route, a 404 problem (before any key check, as routing's own rejection endpoint runs no filter) whose
/// detail names the methods the path accepts.
/// </summary>
internal sealed class WrongMethodMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var response = context.Response;
        if (response.StatusCode != StatusCodes.Status405MethodNotAllowed || response.HasStarted)
        {
            return;
        }

        var allowed = response.Headers[HeaderNames.Allow].ToString();
        response.Headers.Remove(HeaderNames.Allow);
        await Problems.WrongMethod(context.Request, allowed).ExecuteAsync(context);
    }
}
