using System.Globalization;
using System.Text;

namespace EvolutionHub.Internal;

/// <summary>The node's counters, rendered in Prometheus' text format.</summary>
public sealed class HubMetrics
{
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Lock _latencyLock = new();
    private readonly long[] _latencyBucketCounts = new long[LatencyBuckets.Length];
    private long _connections;
    private long _eventsIn;
    private long _eventsOut;
    private long _latencyCount;
    private double _latencySum;

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    public void EventAccepted() => Interlocked.Increment(ref _eventsIn);

    public void EventSent() => Interlocked.Increment(ref _eventsOut);

    public void ObserveFanOut(TimeSpan latency)
    {
        var seconds = latency.TotalSeconds;
        lock (_latencyLock)
        {
            for (var i = 0; i < LatencyBuckets.Length; i++)
            {
                if (seconds <= LatencyBuckets[i])
                {
                    _latencyBucketCounts[i]++;
                }
            }

            _latencyCount++;
            _latencySum += seconds;
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        Write(text, "evolutionhub_connections", "gauge", "Open hub connections: SignalR connections and Socket.IO namespace connections.", Interlocked.Read(ref _connections));
        Write(text, "evolutionhub_events_in_total", "counter", "Events accepted from publishers.", Interlocked.Read(ref _eventsIn));
        Write(text, "evolutionhub_events_out_total", "counter", "Event sends to a group of clients (an instance's or the global one).", Interlocked.Read(ref _eventsOut));
        text.Append("# HELP evolutionhub_fanout_latency_seconds Time from accepting an event to handing it to every matching client.\n");
        text.Append("# TYPE evolutionhub_fanout_latency_seconds histogram\n");
        lock (_latencyLock)
        {
            for (var i = 0; i < LatencyBuckets.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"evolutionhub_fanout_latency_seconds_bucket{{le=\"{LatencyBuckets[i]}\"}} {_latencyBucketCounts[i]}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"evolutionhub_fanout_latency_seconds_bucket{{le=\"+Inf\"}} {_latencyCount}\n");
            text.Append(CultureInfo.InvariantCulture, $"evolutionhub_fanout_latency_seconds_sum {_latencySum}\n");
            text.Append(CultureInfo.InvariantCulture, $"evolutionhub_fanout_latency_seconds_count {_latencyCount}\n");
        }

        return text.ToString();
    }

    private static void Write(StringBuilder text, string name, string type, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");
}
