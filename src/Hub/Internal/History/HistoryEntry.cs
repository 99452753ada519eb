using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.History;

/// <summary>
/// An event as the history holds it: its offset, which is the same in its instance's stream and in the global stream, and
/// the offset before it in each, so that a reader can tell whether it missed something ("" when it starts its stream).
/// </summary>
/// <param name="GlobalPrevious">Null when the event is not in the global stream.</param>
internal sealed record HistoryEntry(HubEvent Event, string Offset, string Previous, string? GlobalPrevious)
{
    public bool IsGlobal => GlobalPrevious is not null;

    /// <summary>The offset before this one in <paramref name="stream"/>.</summary>
    public string PreviousIn(HistoryStream stream) => stream.IsGlobal ? GlobalPrevious ?? "" : Previous;
}
