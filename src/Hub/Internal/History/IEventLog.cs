using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.History;

/// <summary>The history of accepted events: per instance, and a global stream covering every instance.</summary>
internal interface IEventLog
{
    /// <summary>
    /// Appends <paramref name="events"/>, in order, each to its instance's stream and, when global events are on, to the
    /// global stream; returns them with their offsets. Once it returns, they are in the history.
    /// </summary>
    ValueTask<IReadOnlyList<HistoryEntry>> AppendAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> events of <paramref name="stream"/> after <paramref name="after"/> (""
    /// for the stream's start), oldest first; null when the history cannot continue from that offset: not an offset of this
    /// stream, or one it no longer keeps.
    /// </summary>
    ValueTask<IReadOnlyList<HistoryEntry>?> ReadAfterAsync(HistoryStream stream, string after, int count, CancellationToken cancellationToken = default);

    /// <summary>The offset of the last event of <paramref name="stream"/>, "" when it holds none.</summary>
    ValueTask<string> LastOffsetAsync(HistoryStream stream, CancellationToken cancellationToken = default);
}
