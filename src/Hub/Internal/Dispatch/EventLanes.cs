using System.Threading.Channels;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Instances;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// Delivers the history's entries to this node's subscribers, each stream in its order. Instances are spread over a fixed
/// set of lanes, the global stream has a lane of its own; each lane has one reader, which holds, per stream with
/// subscribers, the offset it delivered last. An entry whose previous offset is not that one means this node missed
/// events (its Redis subscription dropped): the lane reads them from the history first. Joining a stream goes through the
/// same lane, so a resumed connection gets the history up to what the lane delivered, then the lane's next events: none
/// twice, none missed.
/// A lane reads an instance's filter once per batch; while <see cref="KeepFilters"/> allows it, it keeps it for the next
/// batches, until <see cref="FilterChanged"/> says it changed (on a farm, reading it costs a Redis round trip per event).
/// </summary>
internal sealed partial class EventLanes(IEventLog log, LocalSubscribers subscribers, EventFanOut fanOut, ILogger<EventLanes> logger)
    : IHostedService, IDisposable
{
    private const int InstanceLaneCount = 16;
    private const int MaxBatch = 256;
    private const int ReadPage = 512;

    // Clients that cannot take a batch of events within this time must not hold up every instance of their lane.
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly Lane[] _lanes = [.. Enumerable.Range(0, InstanceLaneCount + 1).Select(_ => new Lane())];
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _readers = [];
    private volatile bool _keepFilters;

    /// <summary>Queues an appended entry for its instance's lane and, when it is in the global stream, the global lane.</summary>
    /// <exception cref="InvalidOperationException">The node is shutting down.</exception>
    public void Enqueue(HistoryEntry entry)
    {
        Write(HistoryStream.Of(entry.Event.Instance), new Work.Deliver(entry));
        if (entry.IsGlobal)
        {
            Write(HistoryStream.Global, new Work.Deliver(entry));
        }
    }

    /// <summary>
    /// Subscribes <paramref name="connection"/> to <paramref name="stream"/>: with an <paramref name="offset"/>, every event
    /// after it first, then live events; without, live events from now.
    /// </summary>
    /// <exception cref="HubException">The history cannot continue from <paramref name="offset"/>.</exception>
    public Task JoinAsync(HistoryStream stream, HubConnectionContext connection, bool withOffsets, string? offset)
    {
        var join = new Work.Join(connection, withOffsets, offset, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Write(stream, join);
        return join.Joined.Task;
    }

    /// <summary>Reads what every stream with subscribers on this node missed (after the node's Redis subscription came back).</summary>
    public void CatchUpAll()
    {
        foreach (var stream in subscribers.Streams)
        {
            Write(stream, new Work.CatchUp());
        }
    }

    /// <summary>
    /// Whether lanes may keep the filters they read from one batch to the next: only while every change of a filter reaches
    /// <see cref="FilterChanged"/> ahead of the events published after it. Either way, what the lanes hold now is forgotten.
    /// </summary>
    public void KeepFilters(bool keep)
    {
        _keepFilters = keep;
        foreach (var lane in _lanes)
        {
            lane.Queue.Writer.TryWrite((HistoryStream.Global, new Work.ForgetFilter(null)));
        }
    }

    /// <summary>The instance's filter changed: the events queued from now on are filtered by the new one.</summary>
    /// <exception cref="InvalidOperationException">The node is shutting down.</exception>
    public void FilterChanged(string instance) => Write(HistoryStream.Of(instance), new Work.ForgetFilter(instance));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _readers = [.. _lanes.Select((lane, index) => Task.Run(() => ReadLaneAsync(lane)))];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in _lanes)
        {
            lane.Queue.Writer.TryComplete();
        }

        await using var abandon = cancellationToken.Register(_stopping.Cancel);
        await Task.WhenAll(_readers);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The lane of an instance's stream: instances of one lane are delivered one batch after another.</summary>
    public static int LaneIndexOf(string instance) => (int)((uint)StringComparer.Ordinal.GetHashCode(instance) % InstanceLaneCount);

    private void Write(HistoryStream stream, Work work)
    {
        var lane = _lanes[stream.IsGlobal ? InstanceLaneCount : LaneIndexOf(stream.Instance!)];
        if (!lane.Queue.Writer.TryWrite((stream, work)))
        {
            throw new InvalidOperationException("The hub is shutting down.");
        }
    }

    /// <summary>
    /// Takes what the lane holds (up to <see cref="MaxBatch"/> items) and starts the filter lookups of its instances at
    /// once, so that on a farm a batch costs one Redis round trip for them, not one per event.
    /// </summary>
    private async Task ReadLaneAsync(Lane lane)
    {
        var batch = new List<(HistoryStream Stream, Work Work)>();
        var pending = new List<Task>();
        while (await lane.Queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && lane.Queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(SendTimeout);
            var filters = lane.Filters;
            foreach (var (stream, work) in batch)
            {
                if (!stream.IsGlobal && work is Work.Deliver && !filters.ContainsKey(stream.Instance!) && subscribers.Of(stream).Length > 0)
                {
                    filters[stream.Instance!] = fanOut.SettingsOfAsync(stream.Instance!, _stopping.Token).AsTask();
                }
            }

            var context = new LaneContext(lane, pending, timeout.Token);
            foreach (var (stream, work) in batch)
            {
                try
                {
                    if (work is not Work.Deliver)
                    {
                        WriteHeld(context);
                    }

                    await (work switch
                    {
                        Work.Deliver deliver => DeliverAsync(context, stream, deliver.Entry),
                        Work.Join join => JoinAsync(context, stream, join),
                        Work.CatchUp => CatchUpAsync(context, stream),
                        Work.ForgetFilter forget => Forget(lane, forget.Instance),
                        _ => Task.CompletedTask,
                    });
                }
                catch (Exception exception) when (!_stopping.IsCancellationRequested)
                {
                    Log.DeliveryFailed(logger, stream.ToString(), exception);
                }
                catch (Exception)
                {
                    return;
                }
            }

            try
            {
                WriteHeld(context);
                await Task.WhenAll(pending).WaitAsync(timeout.Token);
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                Log.SendFailed(logger, exception);
            }
            catch (Exception)
            {
                return;
            }

            batch.Clear();
            pending.Clear();
            KeepReadFilters(lane);
        }
    }

    private static Task Forget(Lane lane, string? instance)
    {
        if (instance is null)
        {
            lane.Filters.Clear();
        }
        else
        {
            lane.Filters.Remove(instance);
        }

        return Task.CompletedTask;
    }

    /// <summary>After a batch: keeps the filters read, when allowed, and only those read (a failed read is tried again).</summary>
    private void KeepReadFilters(Lane lane)
    {
        if (!_keepFilters)
        {
            lane.Filters.Clear();
            return;
        }

        foreach (var (instance, filter) in lane.Filters)
        {
            if (!filter.IsCompletedSuccessfully)
            {
                lane.Filters.Remove(instance);
            }
        }
    }

    private async Task DeliverAsync(LaneContext context, HistoryStream stream, HistoryEntry entry)
    {
        if (subscribers.Of(stream).Length == 0)
        {
            // No one here listens: whoever joins next starts from the history.
            context.Lane.Delivered.Remove(stream);
            fanOut.Sent(entry);
            return;
        }

        var delivered = context.Lane.Delivered.GetValueOrDefault(stream, entry.PreviousIn(stream));
        if (Offset.Compare(entry.Offset, delivered) <= 0)
        {
            return;
        }

        var previous = entry.PreviousIn(stream);
        if (previous != delivered && previous.Length > 0)
        {
            // Missed events: read them (and whatever came after) from the history, this entry included.
            Log.Gap(logger, stream.ToString(), delivered, entry.Offset);
            WriteHeld(context);
            await CatchUpAsync(context, stream);
            if (Offset.Compare(entry.Offset, context.Lane.Delivered.GetValueOrDefault(stream, "")) <= 0)
            {
                return;
            }
        }

        var settings = await SettingsAsync(context, stream);
        if (EventFanOut.Passes(entry, stream, settings))
        {
            if (stream != context.HeldStream)
            {
                WriteHeld(context);
                context.HeldStream = stream;
            }

            context.Held.Add(entry);
        }

        context.Lane.Delivered[stream] = entry.Offset;
    }

    /// <summary>
    /// Writes the entries held for one stream to its subscribers, all of a subscriber's back to back: a socket then wakes
    /// once for them, not once per event. Called before anything else of the lane writes or reads the history.
    /// </summary>
    private void WriteHeld(LaneContext context)
    {
        if (context.Held.Count == 0)
        {
            return;
        }

        try
        {
            fanOut.Send(context.Held, subscribers.Of(context.HeldStream), context.Pending);
            foreach (var entry in context.Held)
            {
                fanOut.Sent(entry);
            }
        }
        finally
        {
            // Should a write fail, the entries are not held for another try: no connection may get one twice.
            context.Held.Clear();
        }
    }

    private async Task CatchUpAsync(LaneContext context, HistoryStream stream)
    {
        if (!context.Lane.Delivered.TryGetValue(stream, out var delivered))
        {
            return;
        }

        var settings = await SettingsAsync(context, stream);
        while (true)
        {
            var page = await log.ReadAfterAsync(stream, delivered, ReadPage, context.Cancellation);
            if (page is null)
            {
                // Trimmed meanwhile (or the stream expired): what is gone is gone; go on from the stream's end.
                var last = await log.LastOffsetAsync(stream, context.Cancellation);
                Log.Lost(logger, stream.ToString(), delivered, last);
                context.Lane.Delivered[stream] = last;
                return;
            }

            var passed = page.Where(entry => EventFanOut.Passes(entry, stream, settings)).ToList();
            fanOut.Send(passed, subscribers.Of(stream), context.Pending);
            foreach (var entry in passed)
            {
                fanOut.Sent(entry);
            }

            if (page.Count > 0)
            {
                delivered = page[^1].Offset;
            }

            context.Lane.Delivered[stream] = delivered;
            if (page.Count < ReadPage)
            {
                return;
            }
        }
    }

    private async Task JoinAsync(LaneContext context, HistoryStream stream, Work.Join join)
    {
        try
        {
            if (!context.Lane.Delivered.TryGetValue(stream, out var delivered))
            {
                delivered = await log.LastOffsetAsync(stream, context.Cancellation);
                context.Lane.Delivered[stream] = delivered;
            }

            Offset? skipThrough = null;
            if (join.Offset is not null)
            {
                skipThrough = await ReplayAsync(context, stream, join, delivered);
            }

            subscribers.TryAdd(stream, new Subscriber(join.Connection, join.WithOffsets, skipThrough));
            join.Joined.TrySetResult();
        }
        catch (Exception exception)
        {
            join.Joined.TrySetException(exception);
        }
    }

    /// <summary>
    /// Writes the events after the connection's offset, up to what the lane delivered, to the connection; returns the
    /// offset the connection already has beyond that, if any.
    /// </summary>
    private async Task<Offset?> ReplayAsync(LaneContext context, HistoryStream stream, Work.Join join, string delivered)
    {
        var refused = new HubException($"Cannot resume {(stream.IsGlobal ? "the global stream" : stream.Instance)} from offset '{join.Offset}': it is not an offset of this stream, or the history no longer holds it.");
        if (!Offset.TryParse(join.Offset, out var from) || from.CompareTo(Offset.Zero) == 0)
        {
            throw refused;
        }

        Offset.TryParse(delivered, out var upTo);
        var settings = await SettingsAsync(context, stream);
        Subscriber[] target = [new Subscriber(join.Connection, WithOffsets: true, SkipThrough: null)];
        var after = join.Offset!;
        while (true)
        {
            var page = await log.ReadAfterAsync(stream, after, ReadPage, context.Cancellation) ?? throw refused;
            var replayed = page.TakeWhile(DeliveredByTheLane).ToList();
            fanOut.Send([.. replayed.Where(entry => EventFanOut.Passes(entry, stream, settings))], target, context.Pending);
            if (replayed.Count < page.Count)
            {
                return null;
            }

            if (page.Count < ReadPage)
            {
                // The connection is ahead of this node's lane (it was delivered on another node): skip what it has.
                return from.CompareTo(upTo) > 0 ? from : null;
            }

            after = page[^1].Offset;
        }

        bool DeliveredByTheLane(HistoryEntry entry)
        {
            Offset.TryParse(entry.Offset, out var offset);
            return offset.CompareTo(upTo) <= 0;
        }
    }

    private Task<WebsocketSettings?> SettingsAsync(LaneContext context, HistoryStream stream)
    {
        if (stream.IsGlobal)
        {
            return Task.FromResult<WebsocketSettings?>(null);
        }

        var filters = context.Lane.Filters;
        if (!filters.TryGetValue(stream.Instance!, out var lookup))
        {
            lookup = filters[stream.Instance!] = fanOut.SettingsOfAsync(stream.Instance!, _stopping.Token).AsTask();
        }

        return lookup.WaitAsync(context.Cancellation);
    }

    private abstract record Work
    {
        public sealed record Deliver(HistoryEntry Entry) : Work;

        public sealed record Join(HubConnectionContext Connection, bool WithOffsets, string? Offset, TaskCompletionSource Joined) : Work;

        public sealed record CatchUp : Work;

        /// <summary>Reads the instance's filter again for what follows (every instance's, when null).</summary>
        public sealed record ForgetFilter(string? Instance) : Work;
    }

    private sealed class Lane
    {
        public Channel<(HistoryStream Stream, Work Work)> Queue { get; } =
            Channel.CreateUnbounded<(HistoryStream, Work)>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Per stream with subscribers: the offset of the last event the lane delivered ("" when the stream had none).</summary>
        public Dictionary<HistoryStream, string> Delivered { get; } = [];

        /// <summary>The filters of the lane's instances read in this batch, and, while they may be kept, in earlier ones.</summary>
        public Dictionary<string, Task<WebsocketSettings?>> Filters { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One batch of a lane: the entries of one stream held for writing, and the writes not yet completed.</summary>
    private sealed record LaneContext(Lane Lane, List<Task> Pending, CancellationToken Cancellation)
    {
        public List<HistoryEntry> Held { get; } = [];

        public HistoryStream HeldStream { get; set; }
    }
}
