using System.Reflection;

namespace EvolutionHub.Internal.Startup;

/// <summary>The hub's version: the assembly's informational version (with the commit it was built from, when known).</summary>
internal static class HubVersion
{
    public static string Current { get; } =
        typeof(HubVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HubVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
