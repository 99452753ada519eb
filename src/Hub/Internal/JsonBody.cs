using System.Text.Json;

namespace EvolutionHub.Internal;

/// <summary>Reads a request body as JSON, with the contract's answers for a bad body (400) and one over the size limit (413).</summary>
public static class JsonBody
{
    public static async Task<(JsonElement Body, IResult? Error)> ReadAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, Problems.BadRequest("The body is not valid JSON."));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Results.Problem(
                "The body is larger than Http:MaxRequestBodyBytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large"));
        }
    }
}
