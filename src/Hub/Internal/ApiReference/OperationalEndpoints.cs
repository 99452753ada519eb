using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EvolutionHub.Internal.ApiReference;

/// <summary>
/// The health checks and <c>/metrics</c> in the document: they are middleware endpoints, not route handlers, so the API
/// explorer does not see them.
/// </summary>
internal sealed class OperationalEndpoints(IOptions<MetricsOptions> metrics) : IOpenApiDocumentTransformer
{
    public const string Tag = "Operations";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = Tag });

        Add(document, "/health/live", Get(
            document,
            "Liveness",
            "200 while the process serves requests.",
            Text(StatusCodes.Status200OK, "Healthy")));
        Add(document, "/health/ready", Get(
            document,
            "Readiness",
            "Checks the store and, on a farm, that a message published to Redis comes back.",
            Text(StatusCodes.Status200OK, "Healthy"),
            Text(StatusCodes.Status503ServiceUnavailable, "Unhealthy")));

        var scrape = Get(
            document,
            "Prometheus metrics",
            "The node's metrics in Prometheus' text format. Anyone may read them unless Metrics:RequireKey is set; then the global key only.",
            Text(StatusCodes.Status200OK, "The metrics."));
        if (metrics.Value.RequireKey)
        {
            ApiKeySecurity.Require(scrape, document, optional: false);
            scrape.Responses!.Add("401", Problem(document, StatusCodes.Status401Unauthorized));
            scrape.Responses.Add("403", Problem(document, StatusCodes.Status403Forbidden));
        }

        Add(document, HubTelemetry.MetricsPath, scrape);
        return Task.CompletedTask;
    }

    private static void Add(OpenApiDocument document, string path, OpenApiOperation get) =>
        document.Paths.Add(path, new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = get } });

    private static OpenApiOperation Get(OpenApiDocument document, string summary, string description, params (int Status, OpenApiResponse Response)[] responses)
    {
        var operation = new OpenApiOperation
        {
            Summary = summary,
            Description = description,
            Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
            Responses = [],
        };
        foreach (var (status, response) in responses)
        {
            operation.Responses.Add(status.ToString(System.Globalization.CultureInfo.InvariantCulture), response);
        }

        return operation;
    }

    private static (int, OpenApiResponse) Text(int status, string description) => (status, new OpenApiResponse
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
    });

    private static OpenApiResponse Problem(OpenApiDocument document, int status) => new()
    {
        Description = ProblemDescriptions.ByStatus[status],
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document) },
        },
    };
}
