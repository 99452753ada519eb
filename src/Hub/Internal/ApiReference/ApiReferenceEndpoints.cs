using EvolutionHub.Internal.Startup;
using Scalar.AspNetCore;

namespace EvolutionHub.Internal.ApiReference;

/// <summary>
/// The HTTP API's OpenAPI document at <see cref="DocumentPath"/>, served to anyone (it describes the routes, no secret), and
/// in Development its reference page at <see cref="ReferencePath"/> (Scalar, whose script is embedded in its package: no CDN).
/// The SignalR hub and the Socket.IO endpoints are not in the document: they are connections, not request/response routes.
/// </summary>
internal static class ApiReferenceEndpoints
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";
    public const string ReferencePath = "/scalar";

    public static void AddApiReference(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "EvolutionHub HTTP API";
                document.Info.Version = HubVersion.Current;
                document.Info.Description =
                    "Publishing events, instance tokens and websocket settings, the dashboard's reads, health and metrics. "
                    + "Errors are application/problem+json; an unknown route, or a known path asked with another method, is a 404 before any key check. "
                    + "Clients receive events over SignalR (/hubs/events) or Socket.IO (/socket.io/), which are not described here.";
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<ApiKeySecurity>();
            options.AddOperationTransformer<ApiKeySecurity>();
            options.AddOperationTransformer<ProblemDescriptions>();
            options.AddDocumentTransformer<OperationalEndpoints>();
        });

    public static void MapApiReference(this WebApplication app)
    {
        // This path only (MapOpenApi falls back to the "v1" document): another name is an unknown route, a 404 problem.
        app.MapOpenApi(DocumentPath);
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(ReferencePath, scalar => scalar
                .WithTitle("EvolutionHub HTTP API")
                .WithOpenApiRoutePattern(DocumentPath)
                .DisableDefaultFonts()
                .DisableTelemetry());
        }
    }

    /// <summary>A JSON body the handler reads itself, described as <typeparamref name="TBody"/>; 400 when it is not, 413 when too large.</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder) where TBody : notnull =>
        builder.Accepts<TBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
