
namespace EvolutionHub.Internal.Authentication;

/// <summary>Where clients put their key.</summary>
internal static class ApiKeys
{
    /// <summary>The header and query parameter name, Evolution API's convention.</summary>
    public const string Name = "apikey";

    public static string? FromHeader(HttpRequest request) => NonEmpty(request.Headers[Name]);

    /// <summary>A SignalR connection's key, first found wins: <c>access_token</c> (bearer header or query), <c>?apikey=</c>, the <c>apikey</c> header.</summary>
    public static string? FromSignalRRequest(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        return NonEmpty(bearer) ?? NonEmpty(request.Query["access_token"]) ?? NonEmpty(request.Query[Name]) ?? FromHeader(request);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
