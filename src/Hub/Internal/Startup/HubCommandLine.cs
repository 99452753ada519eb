using System.Text;
using EvolutionHub.Internal.Metrics;

namespace EvolutionHub.Internal.Startup;

/// <summary><c>--help</c> and <c>--version</c>: answered before anything is configured or started.</summary>
internal static class HubCommandLine
{
    /// <summary>Prints the usage or the version when <paramref name="args"/> ask for it.</summary>
    /// <returns>The exit code, or null when the arguments ask to run the hub.</returns>
    public static int? TryAnswer(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Any(arg => arg is "--help" or "-h" or "-?"))
        {
            output.Write(Usage());
            return 0;
        }

        if (args.Contains("--version"))
        {
            output.WriteLine($"EvolutionHub {HubVersion.Current}");
            return 0;
        }

        return null;
    }

    private static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine($"EvolutionHub {HubVersion.Current}: Evolution API's events to Socket.IO and SignalR clients.");
        text.AppendLine();
        text.AppendLine("Usage: dotnet EvolutionHub.Hub.dll [options]      (from the sources: dotnet run --project src/Hub -- [options])");
        text.AppendLine();
        text.AppendLine("Options:");
        text.AppendLine($"  --urls <urls>               where to listen, ';'-separated (default {EvolutionHubApplication.DefaultUrl}; env ASPNETCORE_URLS)");
        text.AppendLine("  --environment <name>        Production (default) or Development, which makes up a key (env ASPNETCORE_ENVIRONMENT)");
        text.AppendLine("  --contentRoot <folder>      where appsettings.json is read and a relative Storage:Path points");
        text.AppendLine("  --<Section>:<Key>=<value>   any configuration key, e.g. --Authentication:ApiKey=change-me");
        text.AppendLine("  -h, --help                  this text");
        text.AppendLine("  --version                   the version");
        text.AppendLine();
        text.AppendLine("Environment (each sets a configuration key; Section__Key works for every key):");
        foreach (var (variable, key) in EnvironmentAliases.KeyByVariable.OrderBy(alias => alias.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  {variable,-28}  {key}");
        }

        text.AppendLine($"  {HubTelemetry.OtlpEndpointKey,-28}  export metrics, traces and logs over OTLP (OTEL_EXPORTER_OTLP_PROTOCOL and the other OTEL_* variables apply)");
        text.AppendLine();
        text.AppendLine("Precedence, lowest first: appsettings.json, environment variables, command-line options. The README has every key and its default.");
        return text.ToString();
    }
}
