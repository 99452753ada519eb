using System.Text.Json;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.HttpApi;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// <c>POST /webhook[/{event-slug}]</c>: Evolution API's webhook body. Authorized by the global key in the <c>apikey</c>
/// header, or by the body's <c>apikey</c>: the global key, or the token of the body's instance. An instance token in the
/// header alone is a valid key without the scope (403).
/// </summary>
/// <remarks>
/// A global key in the header is checked before the body is read. Otherwise the key is in the body: the body is buffered
/// against the node's <see cref="UnauthenticatedBodyBudget"/>, its <c>apikey</c> and <c>instance</c> are found by
/// <see cref="WebhookCredentialScan"/>, and only a sender they authorize gets its body parsed. The parsed body goes to
/// <see cref="EventIngest"/> with the credential that authorized it and the slug as the event's default name.
/// </remarks>
internal sealed class WebhookIngest(
    CredentialResolver credentials, FailedAuthentications failures, UnauthenticatedBodyBudget budget, EventIngest ingest)
{
    public async Task<IResult> AcceptAsync(HttpRequest request, string? slug)
    {
        var context = request.HttpContext;
        var address = context.Connection.RemoteIpAddress;
        if (failures.IsBlocked(address, out var retryAfter))
        {
            return Problems.TooManyAttempts(context, retryAfter);
        }

        var headerCredential = await credentials.ResolveKeyAsync(ApiKeys.FromHeader(request), context.RequestAborted);
        if (headerCredential.IsGlobal)
        {
            var (document, error) = await JsonBody.ReadAsync(request);
            return document is null ? error! : await PublishAsync(document.RootElement, headerCredential, slug, context.RequestAborted);
        }

        var (body, readError) = await JsonBody.ReadBytesAsync(request, budget);
        if (body is null)
        {
            return readError!;
        }

        using (body)
        {
            if (!WebhookCredentialScan.TryScan(body.Span, out var bodyKey, out var instance))
            {
                return headerCredential.IsValid ? JsonBody.NotJson() : Refuse(headerCredential, Credential.Missing, address);
            }

            var bodyCredential = await credentials.ResolveKeyAsync(bodyKey, context.RequestAborted);

            // The header must carry the global key; an instance token counts only as the body's apikey (README, HTTP API).
            if (!bodyCredential.IsGlobal && !(instance is not null && bodyCredential.Allows(instance)))
            {
                return Refuse(headerCredential, bodyCredential, address);
            }

            body.Authenticated();
            return JsonBody.TryParse(body, out var document)
                ? await PublishAsync(document!.RootElement, bodyCredential, slug, context.RequestAborted)
                : JsonBody.NotJson();
        }
    }

    // The document is not disposed: the events refer to its data until they are delivered.
    private async Task<IResult> PublishAsync(JsonElement body, Credential publisher, string? slug, CancellationToken cancellationToken) =>
        (await ingest.PublishAsync(body, new IngestRequest(publisher, DefaultEvent: slug), cancellationToken)).ToHttpResult();

    private IResult Refuse(Credential header, Credential body, System.Net.IPAddress? address)
    {
        Credential[] presented = [header, body];
        if (presented.Any(credential => credential.IsValid))
        {
            return Problems.Forbidden();
        }

        var unknown = presented.FirstOrDefault(credential => credential.Kind == CredentialKind.Unknown);
        if (unknown is not null)
        {
            failures.RecordFailure(address);
        }

        return Problems.Unauthorized(unknown ?? Credential.Missing);
    }
}
