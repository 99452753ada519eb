using System.Threading.Tasks.Sources;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>
/// A session's outgoing packets: many writers, one reader at a time (the active transport). Unlike a channel it holds
/// no buffer while idle and reuses its one waiter, so an idle session costs a few bytes, not a queue segment.
/// </summary>
internal sealed class PacketQueue : IValueTaskSource<bool>
{
    private const int TrimAbove = 32;
    private readonly Lock _lock = new();
    private readonly Queue<EnginePacket> _packets = new(0);
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _waiterCancellation;
    private bool _waiting;
    private bool _completed;
    private int _highWater;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _packets.Count;
            }
        }
    }

    /// <summary>Adds a packet; false once the queue is completed.</summary>
    public bool TryWrite(EnginePacket packet)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _packets.Enqueue(packet);
            _highWater = Math.Max(_highWater, _packets.Count);
            wake = TakeWaiter();
        }

        if (wake)
        {
            _waiter.SetResult(true);
        }

        return true;
    }

    /// <summary>No more packets will be written; the reader still takes those queued.</summary>
    public void Complete()
    {
        bool wake;
        bool hasPackets;
        lock (_lock)
        {
            _completed = true;
            hasPackets = _packets.Count > 0;
            wake = TakeWaiter();
        }

        if (wake)
        {
            _waiter.SetResult(hasPackets);
        }
    }

    public bool TryRead(out EnginePacket packet)
    {
        lock (_lock)
        {
            if (!_packets.TryDequeue(out packet))
            {
                return false;
            }

            if (_packets.Count == 0 && _highWater > TrimAbove)
            {
                // A burst grew the buffer: give it back rather than hold it for the session's life.
                _packets.TrimExcess();
                _highWater = 0;
            }

            return true;
        }
    }

    /// <summary>True when a packet can be read; false when the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_packets.Count > 0)
            {
                return ValueTask.FromResult(true);
            }

            if (_completed)
            {
                return ValueTask.FromResult(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("The queue has one reader at a time.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            _waiting = true;
            _waiter.Reset();
            if (cancellationToken.CanBeCanceled)
            {
                _waiterCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PacketQueue)state!).Cancel(token), this);
            }

            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    private void Cancel(CancellationToken token)
    {
        bool wake;
        lock (_lock)
        {
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            _waiter.SetException(new OperationCanceledException(token));
        }
    }

    /// <summary>Under the lock: whether a reader waits, and if so, that it no longer does.</summary>
    private bool TakeWaiter()
    {
        if (!_waiting)
        {
            return false;
        }

        _waiting = false;
        _waiterCancellation.Unregister();
        return true;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
