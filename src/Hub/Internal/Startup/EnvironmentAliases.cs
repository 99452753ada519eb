using System.Collections;

namespace EvolutionHub.Internal.Startup;

/// <summary>Evolution API's environment variable names for the hub's configuration keys.</summary>
internal static class EnvironmentAliases
{
    public static IReadOnlyDictionary<string, string> KeyByVariable { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AUTHENTICATION_API_KEY"] = "Authentication:ApiKey",
        ["WEBSOCKET_ENABLED"] = "Websocket:Enabled",
        ["WEBSOCKET_GLOBAL_EVENTS"] = "Websocket:GlobalEvents",
        ["WEBSOCKET_ALLOWED_HOSTS"] = "Websocket:AllowedHosts",
        ["WEBSOCKET_FORWARD_APIKEY"] = "Websocket:ForwardApiKey",
        ["CORS_ORIGIN"] = "Cors:Origin",
        ["REDIS_URI"] = "Redis:Configuration",
        ["EVOLUTION_BASE_URL"] = "Evolution:BaseUrl",
        ["HUB_DATA_PATH"] = "Storage:Path",
    };

    /// <summary>The configuration keys set by the aliases present in <paramref name="environment"/>.</summary>
    public static Dictionary<string, string?> Read(IDictionary environment) =>
        KeyByVariable
            .Where(alias => environment.Contains(alias.Key))
            .ToDictionary(alias => alias.Value, alias => (string?)environment[alias.Key]?.ToString());
}
