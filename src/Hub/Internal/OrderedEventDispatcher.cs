using System.Threading.Channels;

namespace EvolutionHub.Internal;

/// <summary>
/// The single node's <see cref="IEventDispatcher"/>. Events go to one of a fixed set of lanes chosen by instance;
/// each lane has one reader that awaits every send before the next, so an instance's events leave in the order accepted.
/// </summary>
public sealed partial class OrderedEventDispatcher(EventFanOut fanOut, HubMetrics metrics, ILogger<OrderedEventDispatcher> logger)
    : IEventDispatcher, IHostedService, IDisposable
{
    private const int LaneCount = 16;

    // A client that cannot take an event within this time must not hold up every instance of its lane.
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<HubEvent>[] _lanes = [.. Enumerable.Range(0, LaneCount).Select(_ => Channel.CreateUnbounded<HubEvent>(new UnboundedChannelOptions { SingleReader = true }))];
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _readers = [];

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

    private Channel<HubEvent> LaneOf(string instance) => _lanes[(uint)StringComparer.Ordinal.GetHashCode(instance) % LaneCount];

    private async Task ReadLaneAsync(ChannelReader<HubEvent> lane)
    {
        await foreach (var hubEvent in lane.ReadAllAsync())
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(SendTimeout);
                await fanOut.SendAsync(hubEvent, timeout.Token);
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
    }
}
