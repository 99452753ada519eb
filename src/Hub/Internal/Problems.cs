namespace EvolutionHub.Internal;

/// <summary>The HTTP API's <c>application/problem+json</c> answers.</summary>
public static class Problems
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static IResult Unauthorized(Credential credential) => Results.Problem(
        credential.Kind == CredentialKind.Missing ? "No API key: send it in the apikey header." : "The API key is not valid.",
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized");

    public static IResult Forbidden() => Results.Problem(
        "The API key is valid but does not reach this route or instance.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>A known path asked with a method it does not take: an unknown route (CONTRACT §6 has no 405).</summary>
    public static IResult WrongMethod(HttpRequest request, string accepted) => NotFound(
        accepted.Length == 0
            ? $"No route {request.Method} {request.Path}."
            : $"No route {request.Method} {request.Path}: this path accepts {accepted}.");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
}
