using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EvolutionHub.Internal.ApiReference;

/// <summary>What each <c>application/problem+json</c> answer of the HTTP API means, in place of the bare status names.</summary>
internal sealed class ProblemDescriptions : IOpenApiOperationTransformer
{
    public static readonly IReadOnlyDictionary<int, string> ByStatus = new Dictionary<int, string>
    {
        [StatusCodes.Status400BadRequest] = "The body is not JSON or not the expected shape, or a name is not valid; the detail says which. Nothing was applied.",
        [StatusCodes.Status401Unauthorized] = "No key, or a key the hub does not know.",
        [StatusCodes.Status403Forbidden] = "The key is valid but does not reach this route or instance.",
        [StatusCodes.Status404NotFound] = "Nothing to act on; the detail says what.",
        [StatusCodes.Status409Conflict] = "Another instance holds that token.",
        [StatusCodes.Status413PayloadTooLarge] = "The body is larger than Http:MaxRequestBodyBytes.",
        [StatusCodes.Status429TooManyRequests] = "Too many failed authentications from this address; Retry-After says when to try again.",
        [StatusCodes.Status503ServiceUnavailable] = "The node cannot take the request now: on a farm, Redis is unreachable; for a body authenticated by its own apikey, the node holds as many such bodies as Http:MaxUnauthenticatedBodyBytes allows. Retry-After says when to try again.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse problem && int.TryParse(status, out var code) && ByStatus.TryGetValue(code, out var description))
            {
                problem.Description = description;
            }
        }

        return Task.CompletedTask;
    }
}
