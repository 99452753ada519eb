using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Metrics;

/// <summary>
/// The node's instruments, on the <see cref="MeterName"/> meter of this host's <see cref="IMeterFactory"/>; OpenTelemetry
/// exports them (Prometheus at <c>/metrics</c>, OTLP when configured). No instrument is tagged by Evolution instance: the
/// number of instances is unbounded.
/// </summary>
internal sealed class HubMetrics
{
    public const string MeterName = "EvolutionHub";

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _eventsIn;
    private readonly Counter<long> _eventsOut;
    private readonly Histogram<double> _fanOutLatency;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _slowConsumerDisconnects;

    public HubMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _connections = Meter.CreateUpDownCounter<long>(
            "evolutionhub.connections", "{connection}", "Open hub connections: SignalR connections and Socket.IO namespace connections.");
        _eventsIn = Meter.CreateCounter<long>("evolutionhub.events_in", "{event}", "Events accepted from publishers.");
        _eventsOut = Meter.CreateCounter<long>(
            "evolutionhub.events_out", "{event}", "Event sends to a group of clients (an instance's or the global one).");
        _fanOutLatency = Meter.CreateHistogram(
            "evolutionhub.fanout.latency",
            "s",
            "Time from accepting an event to handing it to every matching client.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _authenticationFailures = Meter.CreateCounter<long>(
            "evolutionhub.authentication.failures",
            "{failure}",
            "Requests and Socket.IO namespace connections refused for their credential: 401 (no or unknown key) and 403 (out of scope).");
        _slowConsumerDisconnects = Meter.CreateCounter<long>(
            "evolutionhub.slow_consumer.disconnects", "{connection}", "Connections cut because they could not keep up with their events.");
    }

    /// <summary>The meter, for instruments that observe other parts of the node (the farm's Redis connection).</summary>
    public Meter Meter { get; }

    public void ConnectionOpened(HubCallerContext context) => _connections.Add(1, ConnectionKind.Of(context).Tags);

    public void ConnectionClosed(HubCallerContext context) => _connections.Add(-1, ConnectionKind.Of(context).Tags);

    public void EventAccepted() => _eventsIn.Add(1);

    public void EventSent() => _eventsOut.Add(1);

    public void ObserveFanOut(TimeSpan latency) => _fanOutLatency.Record(latency.TotalSeconds);

    /// <param name="protocol"><c>http</c> (the HTTP API), <c>signalr</c> or <c>socketio</c>.</param>
    public void AuthenticationFailed(string protocol) => _authenticationFailures.Add(1, new KeyValuePair<string, object?>("protocol", protocol));

    /// <summary>A connection was cut because it could not take its events fast enough.</summary>
    public void SlowConsumerDisconnected() => _slowConsumerDisconnects.Add(1);
}
