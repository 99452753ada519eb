using System.Globalization;

namespace EvolutionHub.Bench.Load;

/// <summary><c>--name value</c> pairs from the command line.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> arguments)
    {
        string? name = null;
        foreach (var argument in arguments)
        {
            if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                name = argument[2..];
                _values[name] = "true";
            }
            else if (name is not null)
            {
                _values[name] = argument;
                name = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{argument}'");
            }
        }
    }

    public string Text(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Number(string name, int fallback) => _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<Uri> Servers(string name) => [.. Text(name).Split(',').Select(url => new Uri(url))];

    public IReadOnlyList<int> ProcessIds() => _values.TryGetValue("pids", out var value) && value.Length > 0
        ? [.. value.Split(',').Select(int.Parse)]
        : [];
}
