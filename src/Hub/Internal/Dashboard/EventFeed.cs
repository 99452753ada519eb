using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using EvolutionHub.Internal.Ingest;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>One event as the dashboard shows it: its <c>data</c> cut to a preview, never the publisher's <c>apikey</c>.</summary>
internal sealed record FeedEntry(long Seq, DateTimeOffset At, string Instance, string Event, string? Sender, string Data);

/// <summary>
/// The last events this node accepted, numbered from 1, for the dashboard's long-poll; and how many it accepted in all.
/// </summary>
internal sealed class EventFeed(TimeProvider time)
{
    public const int Capacity = 200;
    public const int PreviewBytes = 1024;

    private readonly Lock _lock = new();
    private readonly Queue<FeedEntry> _entries = new(Capacity);
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _last;

    /// <summary>The number of the last event accepted: the count of events this node accepted since it started.</summary>
    public long Last
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    public void Add(IReadOnlyList<HubEvent> events)
    {
        var at = time.GetUtcNow();
        TaskCompletionSource added;
        lock (_lock)
        {
            foreach (var hubEvent in events)
            {
                if (_entries.Count == Capacity)
                {
                    _entries.Dequeue();
                }

                _entries.Enqueue(new FeedEntry(
                    ++_last, at, hubEvent.Instance, hubEvent.Name.Wire, hubEvent.Envelope.GetValueOrDefault("sender") as string, Preview(hubEvent.Envelope.GetValueOrDefault("data"))));
            }

            added = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
    }

    /// <summary>
    /// The kept events numbered above <paramref name="after"/> (all of them for -1); if there are none yet, waits up to
    /// <paramref name="wait"/> for some.
    /// </summary>
    public async Task<(long Last, IReadOnlyList<FeedEntry> Entries)> ReadAfterAsync(long after, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            Task added;
            lock (_lock)
            {
                // A number from before this node restarted: start over.
                if (after > _last)
                {
                    after = -1;
                }

                if (_last > after)
                {
                    return (_last, [.. _entries.Where(entry => entry.Seq > after)]);
                }

                added = _added.Task;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return (Last, []);
            }

            try
            {
                await added.WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return (Last, []);
            }
        }
    }

    /// <summary>The JSON text of <paramref name="data"/>, at most <see cref="PreviewBytes"/> of it, read without copying a large payload whole.</summary>
    private static string Preview(object? data)
    {
        if (data is not JsonElement element)
        {
            return "null";
        }

        var raw = JsonMarshal.GetRawUtf8Value(element);
        return raw.Length <= PreviewBytes ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..PreviewBytes]) + "…";
    }
}
