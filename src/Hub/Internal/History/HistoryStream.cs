namespace EvolutionHub.Internal.History;

/// <summary>A stream of the history: one instance's events, or the global stream of every instance's (<see cref="Instance"/> null).</summary>
internal readonly record struct HistoryStream(string? Instance)
{
    public static HistoryStream Global { get; } = new(null);

    public bool IsGlobal => Instance is null;

    public static HistoryStream Of(string instance) => new(instance);

    public override string ToString() => Instance ?? "(global)";
}
