using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// <c>Cors:Origin</c>, parsed once: the CORS policy and the origin rules of WebSocket connections (which CORS does not
/// cover) ask the same list. Empty means <c>*</c> in Development and no origin otherwise.
/// </summary>
internal sealed class AllowedOrigins
{
    private readonly string[] _origins;
    private readonly bool _any;

    public AllowedOrigins(IOptions<CorsOriginOptions> options, IHostEnvironment environment)
    {
        var configured = options.Value.Origin;
        _origins = (string.IsNullOrWhiteSpace(configured) && environment.IsDevelopment() ? "*" : configured)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(origin => origin.TrimEnd('/'))
            .ToArray();
        _any = _origins.Contains("*");
    }

    public bool IsAllowed(string origin) => _any || _origins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);

    /// <summary>A request with no <c>Origin</c> (not sent by a web page) or with an allowed one.</summary>
    public bool Admits(StringValues originHeader) => StringValues.IsNullOrEmpty(originHeader) || IsAllowed(originHeader.ToString());
}
