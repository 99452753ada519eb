using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Instances;

/// <summary>An instance's websocket settings, as Evolution API stores them.</summary>
internal sealed record WebsocketSettings(bool Enabled, IReadOnlyList<string> Events)
{
    /// <summary>What an instance without settings reports: enabled, every filter name.</summary>
    public static WebsocketSettings Default { get; } = new(true, EvolutionEvents.FilterNames);

    /// <summary>Evolution's rule: enabled with no events means every event; disabled means none.</summary>
    public static WebsocketSettings Create(bool enabled, IEnumerable<string> filterNames)
    {
        if (!enabled)
        {
            return new WebsocketSettings(false, []);
        }

        var events = filterNames.Distinct(StringComparer.Ordinal).ToArray();
        return new WebsocketSettings(true, events.Length == 0 ? EvolutionEvents.FilterNames : events);
    }

    public bool Allows(string filterName) => Enabled && Events.Contains(filterName, StringComparer.Ordinal);
}
