using EvolutionHub.Internal.Ingest;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.History;

/// <summary>
/// The single node's history, in memory: a ring of the last <c>Recovery:MaxEventsPerInstance</c> events per instance and
/// one of as many for the global stream. A stream that took nothing for <c>Recovery:MaxDisconnectionSeconds</c> lets go of
/// its events and keeps only its last offset, so an instance that went quiet costs next to nothing and a client that holds
/// that offset still has missed nothing.
/// </summary>
internal sealed class MemoryEventLog(IOptions<RecoveryOptions> recovery, IOptions<WebsocketOptions> websocket, TimeProvider time) : IEventLog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EventRing> _instances = new(StringComparer.Ordinal);
    private readonly EventRing _global = new(Math.Max(1, recovery.Value.MaxEventsPerInstance));
    private readonly TimeSpan _window = TimeSpan.FromSeconds(Math.Max(1, recovery.Value.MaxDisconnectionSeconds));
    private Offset _clock = Offset.Zero;
    private long _sweptAt = time.GetTimestamp();

    /// <summary>
    /// Appends and, before another append can, hands each entry to <paramref name="onAppended"/>: the order the entries
    /// are handed over in is the order of their streams.
    /// </summary>
    public IReadOnlyList<HistoryEntry> Append(IReadOnlyList<HubEvent> events, Action<HistoryEntry> onAppended)
    {
        var entries = new HistoryEntry[events.Count];
        lock (_gate)
        {
            var now = time.GetTimestamp();
            SweepQuietStreams(now);
            for (var i = 0; i < events.Count; i++)
            {
                var hubEvent = events[i];
                if (!_instances.TryGetValue(hubEvent.Instance, out var ring))
                {
                    ring = new EventRing(Math.Max(1, recovery.Value.MaxEventsPerInstance));
                    _instances.Add(hubEvent.Instance, ring);
                }

                _clock = _clock.Next(time.GetUtcNow().ToUnixTimeMilliseconds());
                var entry = new HistoryEntry(hubEvent, _clock.ToString(), ring.Last, websocket.Value.GlobalEvents ? _global.Last : null);
                ring.Add(entry, now);
                if (entry.IsGlobal)
                {
                    _global.Add(entry, now);
                }

                entries[i] = entry;
                onAppended(entry);
            }
        }

        return entries;
    }

    public ValueTask<IReadOnlyList<HistoryEntry>> AppendAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Append(events, static _ => { }));

    public ValueTask<IReadOnlyList<HistoryEntry>?> ReadAfterAsync(HistoryStream stream, string after, int count, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(ReadAfter(stream, RingOf(stream), after, count));
        }
    }

    public ValueTask<string> LastOffsetAsync(HistoryStream stream, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(RingOf(stream)?.Last ?? "");
        }
    }

    private static IReadOnlyList<HistoryEntry>? ReadAfter(HistoryStream stream, EventRing? ring, string after, int count)
    {
        int start;
        if (after.Length == 0)
        {
            start = 0;
        }
        else if (ring is null || !Offset.TryParse(after, out var offset))
        {
            return null;
        }
        else if (after == ring.Last)
        {
            start = ring.Count;
        }
        else
        {
            var index = ring.IndexOf(offset);
            if (index >= 0)
            {
                start = index + 1;
            }
            else if (ring.Count > 0 && ring[0].PreviousIn(stream) == after)
            {
                // Trimmed itself, but nothing after it was.
                start = 0;
            }
            else
            {
                return null;
            }
        }

        var length = ring is null ? 0 : Math.Min(count, ring.Count - start);
        var entries = new HistoryEntry[length];
        for (var i = 0; i < length; i++)
        {
            entries[i] = ring![start + i];
        }

        return entries;
    }

    private EventRing? RingOf(HistoryStream stream) =>
        stream.IsGlobal ? _global : _instances.GetValueOrDefault(stream.Instance!);

    private void SweepQuietStreams(long now)
    {
        if (time.GetElapsedTime(_sweptAt, now) < _window)
        {
            return;
        }

        _sweptAt = now;
        foreach (var ring in _instances.Values)
        {
            if (ring.Count > 0 && time.GetElapsedTime(ring.LastAppendedAt, now) > _window)
            {
                ring.Clear();
            }
        }
    }
}
