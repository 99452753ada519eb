using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Inbound;

/// <summary>One inbound route: <c>"POST /message/sendText/{instance}"</c>.</summary>
internal sealed record InboundRoute(HttpMethod Method, string PathTemplate)
{
    public const string InstancePlaceholder = "{instance}";

    public static InboundRoute Parse(string eventName, string text)
    {
        var parts = text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !parts[1].StartsWith('/'))
        {
            throw new InvalidOperationException($"Inbound:Routes:{eventName} must read \"METHOD /path\", e.g. \"POST /message/sendText/{{instance}}\".");
        }

        return new InboundRoute(HttpMethod.Parse(parts[0].ToUpperInvariant()), parts[1]);
    }

    public Uri ToUri(string baseUrl, string instance) =>
        new(baseUrl.TrimEnd('/') + PathTemplate.Replace(InstancePlaceholder, Uri.EscapeDataString(instance), StringComparison.OrdinalIgnoreCase));
}

/// <summary>The configured <c>Inbound:Routes</c>, parsed once.</summary>
internal sealed class InboundRoutes(IOptions<InboundOptions> options)
{
    private readonly Dictionary<string, InboundRoute> _routes = options.Value.Routes
        .Where(route => !string.IsNullOrWhiteSpace(route.Value))
        .ToDictionary(route => route.Key, route => InboundRoute.Parse(route.Key, route.Value), StringComparer.OrdinalIgnoreCase);

    public bool TryGet(string eventName, [NotNullWhen(true)] out InboundRoute? route) => _routes.TryGetValue(eventName, out route);
}
