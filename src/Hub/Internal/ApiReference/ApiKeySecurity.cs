using EvolutionHub.Internal.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EvolutionHub.Internal.ApiReference;

/// <summary>
/// The <c>apikey</c> header as the document's API-key security scheme, required by every operation whose endpoint carries
/// <see cref="ApiKeyMetadata"/>; optional (an empty requirement beside it) where the body's <c>apikey</c> may stand in for it.
/// </summary>
internal sealed class ApiKeySecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "apikey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = SchemeName,
            Description = "The global key (Authentication:ApiKey) reaches every route; an instance token, registered with PUT /api/instances/{instance}, reaches its instance's routes only.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyMetadata>().LastOrDefault() is { } key)
        {
            Require(operation, context.Document!, optional: key.BodyKeyAccepted);
        }

        return Task.CompletedTask;
    }

    public static void Require(OpenApiOperation operation, OpenApiDocument document, bool optional)
    {
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
        if (optional)
        {
            operation.Security.Add(new OpenApiSecurityRequirement());
        }
    }
}
