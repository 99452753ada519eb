using System.Diagnostics;

namespace EvolutionHub.Bench.Load;

/// <summary>What every client of one protocol received: a total for flow control and the publish→receive latencies.</summary>
public sealed class DeliveryTally
{
    private long _deliveries;

    public long Deliveries => Volatile.Read(ref _deliveries);

    public LatencyHistogram Latency { get; } = new();

    public void Count(long sentTimestamp)
    {
        Interlocked.Increment(ref _deliveries);
        Latency.Record((long)(Stopwatch.GetElapsedTime(sentTimestamp).Ticks / TimeSpan.TicksPerMicrosecond));
    }
}

/// <summary>
/// One client's view of the event stream. Events carry the publisher's sequence number; a sequence at or below the last
/// one seen is a duplicate or a reordering and does not count as received, so losses are expected minus received.
/// </summary>
public sealed class Listener(DeliveryTally tally)
{
    public long Received { get; private set; }

    public long OutOfOrder { get; private set; }

    public bool Disconnected { get; set; }

    /// <summary>When the last event counted as received arrived (a <see cref="Stopwatch"/> timestamp), 0 before any.</summary>
    public long LastReceivedAt { get; private set; }

    private long _lastSequence;

    public void OnEvent(long sequence, long sentTimestamp)
    {
        if (sequence <= _lastSequence)
        {
            OutOfOrder++;
            return;
        }

        _lastSequence = sequence;
        Received++;
        LastReceivedAt = Stopwatch.GetTimestamp();
        tally.Count(sentTimestamp);
    }
}
