using EvolutionHub.Internal.Authentication;

namespace EvolutionHub.Internal.HttpApi;

/// <summary>The HTTP API's <c>application/problem+json</c> answers.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static IResult Unauthorized(Credential credential) => Results.Problem(
        credential.Kind == CredentialKind.Missing ? "No API key: send it in the apikey header." : "The API key is not valid.",
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized");

    public static IResult Forbidden() => Results.Problem(
        "The API key is valid but does not reach this route or instance.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>A known path asked with a method it does not take: an unknown route (the HTTP API has no 405).</summary>
    public static IResult WrongMethod(HttpRequest request, string accepted) => NotFound(
        accepted.Length == 0
            ? $"No route {request.Method} {request.Path}."
            : $"No route {request.Method} {request.Path}: this path accepts {accepted}.");

    /// <summary>429 with <c>Retry-After</c>: the client's address made too many failed authentications.</summary>
    public static IResult TooManyAttempts(HttpContext context, TimeSpan retryAfter) => WithRetryAfter(
        context,
        retryAfter,
        Results.Problem(
            "Too many failed authentications from this address: it is refused for a while, whatever key it sends.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many attempts"));

    /// <summary>429: the client's address holds as many connections as <c>Limits:MaxConnectionsPerAddress</c> allows.</summary>
    public static IResult TooManyConnections() => Results.Problem(
        "This address holds as many connections as Limits:MaxConnectionsPerAddress allows.",
        statusCode: StatusCodes.Status429TooManyRequests,
        title: "Too many connections");

    /// <summary>503 with <c>Retry-After</c>: the node buffers as many unauthenticated bodies as <c>Http:MaxUnauthenticatedBodyBytes</c> allows.</summary>
    public static IResult Busy(HttpContext context) => WithRetryAfter(
        context,
        TimeSpan.FromSeconds(1),
        Results.Problem(
            "The node is reading as many bodies of requests not yet authenticated as it allows; retry, or send the key in the apikey header.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Busy"));

    /// <summary>503 with <c>Retry-After</c>: the node is stopping (a rolling restart); another node takes the request.</summary>
    public static IResult Stopping(HttpContext context) => WithRetryAfter(
        context,
        TimeSpan.FromSeconds(1),
        Results.Problem(
            "The node is stopping: retry, and another node of the farm takes the request.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Stopping"));

    public static IResult OriginNotAllowed() => Results.Problem(
        "The Origin of this request is not allowed by Cors:Origin.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult PayloadTooLarge() => Results.Problem(
        "The body is larger than Http:MaxRequestBodyBytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    private static IResult WithRetryAfter(HttpContext context, TimeSpan retryAfter, IResult result)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }
}
