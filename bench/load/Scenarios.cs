using System.Diagnostics;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// The measurements. Every one ends by counting lost events: each client expects every event published while it was
/// connected, in order; lost = expected − received over all clients.
/// </summary>
public static class Scenarios
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Fan-out throughput: clients on one or more servers (a farm when several), events published on the first server
    /// in batches, with at most <c>window</c> events not yet delivered to every client, so the server is kept busy
    /// without queueing without bound. Optionally SignalR clients of the same instance beside the Socket.IO ones.
    /// </summary>
    public static async Task<Dictionary<string, object?>> ThroughputAsync(Options options, CancellationToken cancellationToken)
    {
        var servers = options.Servers("servers");
        var apiKey = options.Text("key");
        var instance = options.Text("instance", "bench");
        var socketIoClients = options.Number("clients", 1000);
        var signalRClients = options.Number("signalr-clients", 0);
        var events = options.Number("events", 2000);
        var warmup = options.Number("warmup", 200);
        var batch = options.Number("batch", 20);
        var window = options.Number("window", 200);
        var probe = new ServerProbe(options.ProcessIds());

        var socketIo = new DeliveryTally();
        var signalR = new DeliveryTally();
        await using var pool = new ClientPool();
        await pool.ConnectSocketIoAsync(servers, instance, apiKey, socketIoClients, options.Number("connect-concurrency", 100), socketIo, cancellationToken);
        if (signalRClients > 0)
        {
            await pool.ConnectSignalRAsync(servers[0], instance, apiKey, signalRClients, 50, signalR, cancellationToken);
        }

        var listeners = socketIoClients + signalRClients;
        long Delivered() => socketIo.Deliveries + signalR.Deliveries;
        Console.Error.WriteLine($"  {listeners} clients connected; warming up with {warmup} events");

        using var publisher = new Publisher(servers[0], apiKey, instance, options.Number("text", 200));
        await PublishPacedAsync(publisher, warmup, batch, window, listeners, Delivered, cancellationToken);
        await WaitForDeliveriesAsync(() => publisher.Published * listeners, Delivered, cancellationToken);
        socketIo.Latency.Reset();
        signalR.Latency.Reset();

        var socketIoBefore = socketIo.Deliveries;
        var signalRBefore = signalR.Deliveries;
        var cpuBefore = probe.CpuSeconds();
        var clock = Stopwatch.StartNew();
        await PublishPacedAsync(publisher, events, batch, window, listeners, Delivered, cancellationToken);
        await WaitForDeliveriesAsync(() => publisher.Published * listeners, Delivered, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var socketIoDelivered = socketIo.Deliveries - socketIoBefore;
        var signalRDelivered = signalR.Deliveries - signalRBefore;
        var delivered = socketIoDelivered + signalRDelivered;

        var result = new Dictionary<string, object?>
        {
            ["servers"] = servers.Count,
            ["clients"] = socketIoClients,
            ["events"] = events,
            ["deliveries"] = delivered,
            ["seconds"] = Math.Round(seconds, 3),
            ["deliveriesPerSecond"] = Math.Round(delivered / seconds),
            ["p50Ms"] = socketIo.Latency.PercentileMilliseconds(0.50),
            ["p99Ms"] = socketIo.Latency.PercentileMilliseconds(0.99),
            ["serverCpuSeconds"] = Math.Round(probe.CpuSeconds() - cpuBefore, 2),
            ["serverRssBytes"] = probe.ResidentBytes(),
        };
        AddLosses(result, pool.Listeners, publisher.Published);
        if (signalRClients > 0)
        {
            result["signalrClients"] = signalRClients;
            result["socketIoDeliveriesPerSecond"] = Math.Round(socketIoDelivered / seconds);
            result["signalrDeliveriesPerSecond"] = Math.Round(signalRDelivered / seconds);
            result["signalrP99Ms"] = signalR.Latency.PercentileMilliseconds(0.99);
        }

        return result;
    }

    /// <summary>
    /// Publish→receive latency at a fixed event rate, one event per request, one request at a time. With several servers
    /// (a farm) the clients are spread over all of them and the events published on the first.
    /// </summary>
    public static async Task<Dictionary<string, object?>> LatencyAsync(Options options, CancellationToken cancellationToken)
    {
        var servers = options.Servers("servers");
        var apiKey = options.Text("key");
        var instance = options.Text("instance", "bench");
        var clients = options.Number("clients", 500);
        var rate = options.Number("rate", 100);
        var duration = TimeSpan.FromSeconds(options.Number("seconds", 20));

        var tally = new DeliveryTally();
        await using var pool = new ClientPool();
        await pool.ConnectSocketIoAsync(servers, instance, apiKey, clients, options.Number("connect-concurrency", 100), tally, cancellationToken);
        using var publisher = new Publisher(servers[0], apiKey, instance, options.Number("text", 200));
        Console.Error.WriteLine($"  {clients} clients connected to {servers.Count} server(s); {rate} events/s for {duration.TotalSeconds} s after a 2 s warm-up");

        await PublishAtRateAsync(publisher, rate, TimeSpan.FromSeconds(2), cancellationToken);
        await WaitForDeliveriesAsync(() => publisher.Published * clients, () => tally.Deliveries, cancellationToken);
        tally.Latency.Reset();
        await PublishAtRateAsync(publisher, rate, duration, cancellationToken);
        await WaitForDeliveriesAsync(() => publisher.Published * clients, () => tally.Deliveries, cancellationToken);

        var result = new Dictionary<string, object?>
        {
            ["servers"] = servers.Count,
            ["clients"] = clients,
            ["rate"] = rate,
            ["samples"] = tally.Latency.Count,
            ["p50Ms"] = tally.Latency.PercentileMilliseconds(0.50),
            ["p90Ms"] = tally.Latency.PercentileMilliseconds(0.90),
            ["p99Ms"] = tally.Latency.PercentileMilliseconds(0.99),
            ["p999Ms"] = tally.Latency.PercentileMilliseconds(0.999),
            ["maxMs"] = tally.Latency.PercentileMilliseconds(1.0),
        };
        AddLosses(result, pool.Listeners, publisher.Published);
        return result;
    }

    /// <summary>
    /// Ramps up to many idle connections: connections per second while ramping, then the server's resident memory per
    /// connection once they settled (RSS after − RSS before, divided), then a few events to check every one is alive.
    /// </summary>
    public static async Task<Dictionary<string, object?>> IdleAsync(Options options, CancellationToken cancellationToken)
    {
        var server = options.Servers("servers")[0];
        var apiKey = options.Text("key");
        var instance = options.Text("instance", "bench");
        var clients = options.Number("clients", 10_000);
        var probe = new ServerProbe(options.ProcessIds());

        await using (var warm = new ClientPool())
        {
            await warm.ConnectSocketIoAsync([server], instance, apiKey, 50, 50, new DeliveryTally(), cancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var residentBefore = probe.ResidentBytes();

        var tally = new DeliveryTally();
        await using var pool = new ClientPool();
        var cpuBefore = probe.CpuSeconds();
        var clock = Stopwatch.StartNew();
        await pool.ConnectSocketIoAsync([server], instance, apiKey, clients, options.Number("connect-concurrency", 100), tally, cancellationToken);
        var rampSeconds = clock.Elapsed.TotalSeconds;
        var rampCpuSeconds = probe.CpuSeconds() - cpuBefore;
        Console.Error.WriteLine($"  {clients} clients connected in {rampSeconds:F1} s; settling");

        await Task.Delay(TimeSpan.FromSeconds(options.Number("settle", 5)), cancellationToken);
        var residentAfter = probe.ResidentBytes();

        using var publisher = new Publisher(server, apiKey, instance, options.Number("text", 200));
        for (var index = 0; index < 3; index++)
        {
            await publisher.PublishAsync(1, cancellationToken);
        }

        await WaitForDeliveriesAsync(() => publisher.Published * clients, () => tally.Deliveries, cancellationToken);
        if (options.Number("hold", 0) is > 0 and var hold)
        {
            Console.Error.WriteLine($"  holding the connections for {hold} s (for a heap dump or counters)");
            await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken);
        }

        var result = new Dictionary<string, object?>
        {
            ["clients"] = clients,
            ["rampSeconds"] = Math.Round(rampSeconds, 3),
            ["connectionsPerSecond"] = Math.Round(clients / rampSeconds),
            ["serverCpuMillisecondsPerConnection"] = Math.Round(rampCpuSeconds * 1000 / clients, 3),
            ["rampCpuSeconds"] = Math.Round(rampCpuSeconds, 2),
            ["rssBeforeBytes"] = residentBefore,
            ["rssAfterBytes"] = residentAfter,
            ["bytesPerConnection"] = (residentAfter - residentBefore) / clients,
        };
        AddLosses(result, pool.Listeners, publisher.Published);
        return result;
    }

    private static async Task PublishPacedAsync(
        Publisher publisher, int events, int batch, int window, int listeners, Func<long> delivered, CancellationToken cancellationToken)
    {
        var end = publisher.Published + events;
        var deadline = Stopwatch.StartNew();
        while (publisher.Published < end)
        {
            while ((publisher.Published - window) * listeners > delivered())
            {
                if (deadline.Elapsed > StallTimeout && delivered() == 0)
                {
                    throw new InvalidOperationException("nothing was delivered");
                }

                await Task.Delay(1, cancellationToken);
            }

            await publisher.PublishAsync((int)Math.Min(batch, end - publisher.Published), cancellationToken);
        }
    }

    private static async Task PublishAtRateAsync(Publisher publisher, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < count; index++)
        {
            var wait = TimeSpan.FromSeconds((double)index / rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            await publisher.PublishAsync(1, cancellationToken);
        }
    }

    /// <summary>Waits until everything expected arrived, or until nothing more arrived for <see cref="StallTimeout"/>.</summary>
    private static async Task WaitForDeliveriesAsync(Func<long> expected, Func<long> delivered, CancellationToken cancellationToken)
    {
        var last = delivered();
        var sinceProgress = Stopwatch.StartNew();
        while (delivered() < expected() && sinceProgress.Elapsed < StallTimeout)
        {
            await Task.Delay(1, cancellationToken);
            var now = delivered();
            if (now != last)
            {
                last = now;
                sinceProgress.Restart();
            }
        }
    }

    private static void AddLosses(Dictionary<string, object?> result, IReadOnlyList<Listener> listeners, long published)
    {
        result["published"] = published;
        result["lost"] = listeners.Sum(listener => published - listener.Received);
        result["outOfOrder"] = listeners.Sum(listener => listener.OutOfOrder);
        result["disconnected"] = listeners.Count(listener => listener.Disconnected);
    }
}
