using System.Text.Json;

namespace EvolutionHub.Internal;

/// <summary>
/// <c>POST /webhook[/{event-slug}]</c>: Evolution API's webhook body. Authorized by the global key in the <c>apikey</c>
/// header, or by the body's <c>apikey</c>: the global key, or the token of the body's instance. An instance token in the
/// header alone is a valid key without the scope (403).
/// </summary>
public sealed class WebhookIngest(CredentialResolver credentials, HubEventFactory factory, IEventDispatcher dispatcher)
{
    public async Task<IResult> AcceptAsync(HttpRequest request, string? slug)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var headerCredential = await credentials.ResolveKeyAsync(ApiKeys.FromHeader(request), cancellationToken);
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return headerCredential.IsValid || error is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status400BadRequest }
                ? error
                : Problems.Unauthorized(headerCredential);
        }

        var bodyCredential = await credentials.ResolveKeyAsync(StringProperty(body, "apikey"), cancellationToken);
        var instance = StringProperty(body, "instance");
        Credential[] presented = [headerCredential, bodyCredential];

        // CONTRACT §6: the header must carry the global key; an instance token counts only as the body's apikey.
        if (!headerCredential.IsGlobal && !bodyCredential.IsGlobal && !(instance is not null && bodyCredential.Allows(instance)))
        {
            return presented.Any(credential => credential.IsValid)
                ? Problems.Forbidden()
                : Problems.Unauthorized(presented.FirstOrDefault(credential => credential.Kind == CredentialKind.Unknown) ?? Credential.Missing);
        }

        if (!IncomingEvent.TryRead(body, slug, out var incoming, out var problem))
        {
            return Problems.BadRequest(problem);
        }

        await dispatcher.AcceptAsync([factory.Create(incoming)], cancellationToken);
        return Results.Json(new { accepted = 1 }, statusCode: StatusCodes.Status202Accepted);
    }

    private static string? StringProperty(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
