using EvolutionHub.Internal.HttpApi;

namespace EvolutionHub.Internal.Authentication;

internal enum ApiKeyScope
{
    /// <summary>The global key only.</summary>
    Global,

    /// <summary>The global key or the token of the route's <c>{instance}</c>.</summary>
    RouteInstance,
}

/// <summary>
/// Checks the <c>apikey</c> header of an HTTP API route before the body is read: 429 while the client's address is refused
/// for its failed authentications, 401 when missing or unknown (an unknown key counts as one), 403 when valid but out of scope.
/// </summary>
internal sealed class ApiKeyFilter(ApiKeyScope scope) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var failures = http.RequestServices.GetRequiredService<FailedAuthentications>();
        var address = http.Connection.RemoteIpAddress;
        if (failures.IsBlocked(address, out var retryAfter))
        {
            return Problems.TooManyAttempts(http, retryAfter);
        }

        var credentials = http.RequestServices.GetRequiredService<CredentialResolver>();
        var credential = await credentials.ResolveKeyAsync(ApiKeys.FromHeader(http.Request), http.RequestAborted);
        if (!credential.IsValid)
        {
            if (credential.Kind == CredentialKind.Unknown)
            {
                failures.RecordFailure(address);
            }

            return Problems.Unauthorized(credential);
        }

        var allowed = scope == ApiKeyScope.Global
            ? credential.IsGlobal
            : http.Request.RouteValues["instance"] is string instance && credential.Allows(instance);
        return allowed ? await next(context) : Problems.Forbidden();
    }
}

internal static class ApiKeyFilterExtensions
{
    /// <summary>The <see cref="ApiKeyFilter"/>, and the metadata and answers that document it in the OpenAPI document.</summary>
    public static RouteHandlerBuilder RequireApiKey(this RouteHandlerBuilder builder, ApiKeyScope scope) =>
        builder.AddEndpointFilter(new ApiKeyFilter(scope))
            .WithMetadata(new ApiKeyMetadata(BodyKeyAccepted: false))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

/// <summary>Endpoint metadata: the route checks the <c>apikey</c> header; <paramref name="BodyKeyAccepted"/> when the body's <c>apikey</c> may stand in for it.</summary>
internal sealed record ApiKeyMetadata(bool BodyKeyAccepted);
