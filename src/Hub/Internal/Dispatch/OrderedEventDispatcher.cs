using System.Threading.Channels;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Metrics;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// The single node's <see cref="IEventDispatcher"/>. Events go to one of a fixed set of lanes chosen by instance;
/// each lane has one reader that hands them to their groups in the order accepted, a batch at a time, and waits for a batch
/// to be delivered before it takes the next: an instance's events reach every client in the order the hub accepted them.
/// </summary>
internal sealed partial class OrderedEventDispatcher(EventFanOut fanOut, HubMetrics metrics, ILogger<OrderedEventDispatcher> logger)
    : IEventDispatcher, IHostedService, IDisposable
{
    private const int LaneCount = 16;
    private const int MaxBatch = 256;

    // Clients that cannot take a batch of events within this time must not hold up every instance of their lane.
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<HubEvent>[] _lanes = [.. Enumerable.Range(0, LaneCount).Select(_ => Channel.CreateUnbounded<HubEvent>(new UnboundedChannelOptions { SingleReader = true }))];
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _readers = [];
    private volatile bool _deliveredOnce;

    public ValueTask AcceptAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var hubEvent in events)
        {
            if (!LaneOf(hubEvent.Instance).Writer.TryWrite(hubEvent))
            {
                throw new InvalidOperationException("The hub is shutting down.");
            }

            metrics.EventAccepted();
        }

        return ValueTask.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _readers = [.. _lanes.Select(lane => Task.Run(() => ReadLaneAsync(lane.Reader)))];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        await using var abandon = cancellationToken.Register(_stopping.Cancel);
        await Task.WhenAll(_readers);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The lane an instance's events take: instances of one lane are delivered one batch after another.</summary>
    public static int LaneIndexOf(string instance) => (int)((uint)StringComparer.Ordinal.GetHashCode(instance) % LaneCount);

    private Channel<HubEvent> LaneOf(string instance) => _lanes[LaneIndexOf(instance)];

    /// <summary>
    /// Takes what the lane holds (up to <see cref="MaxBatch"/> events), starts every filter lookup, then hands the events
    /// to their groups in order without waiting for one to be delivered before the next: on a farm a batch costs one
    /// Redis round trip for the lookups and one for the publishes, not two per event.
    /// </summary>
    private async Task ReadLaneAsync(ChannelReader<HubEvent> lane)
    {
        var batch = new List<HubEvent>();
        var lookups = new List<ValueTask<WebsocketSettings?>>();
        var sends = new List<(HubEvent Event, Task Send)>();
        while (await lane.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && lane.TryRead(out var hubEvent))
            {
                batch.Add(hubEvent);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(SendTimeout);
            foreach (var hubEvent in batch)
            {
                lookups.Add(fanOut.SettingsOfAsync(hubEvent, timeout.Token));
            }

            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    var send = fanOut.SendAsync(batch[i], await lookups[i], timeout.Token);
                    if (!_deliveredOnce)
                    {
                        // Until a first send is through, the backplane may still be connecting, and sends that wait for
                        // it can overtake each other: one at a time until then.
                        await send;
                        _deliveredOnce = true;
                        continue;
                    }

                    sends.Add((batch[i], send));
                }
                catch (Exception exception)
                {
                    if (_stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    Log.SendFailed(logger, batch[i].Name.Wire, batch[i].Instance, exception);
                }
            }

            foreach (var (hubEvent, send) in sends)
            {
                try
                {
                    await send;
                }
                catch (Exception exception)
                {
                    if (_stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    Log.SendFailed(logger, hubEvent.Name.Wire, hubEvent.Instance, exception);
                }
            }

            batch.Clear();
            lookups.Clear();
            sends.Clear();
        }
    }
}
