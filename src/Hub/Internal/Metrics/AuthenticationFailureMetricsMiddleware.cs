using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Metrics;

/// <summary>Counts the requests answered 401 or 403: the HTTP API's, and the SignalR endpoint's (negotiate and transports).</summary>
internal sealed class AuthenticationFailureMetricsMiddleware(RequestDelegate next, HubMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
        {
            metrics.AuthenticationFailed(context.GetEndpoint()?.Metadata.GetMetadata<HubMetadata>() is null ? "http" : ConnectionKind.SignalR);
        }
    }
}
