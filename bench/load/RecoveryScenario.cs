using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// Socket.IO connection-state recovery on a farm of two nodes: clients of a quiet instance connect to the first node,
/// receive a few events, drop their sockets, miss some events, and reconnect to the second node with their private id
/// and last offset, all at once. Measured per client: reconnect → CONNECT ack, reconnect → last missed event; and the
/// Redis work of the recovery (calls per command, bytes out) per recovered client. Rounds alternate between a silent
/// neighbour and a busy one (another instance publishing at a steady rate, with a few subscribers), so the two can be
/// compared: recovery reads the quiet instance's own stream, so its cost should not follow the neighbour's traffic.
/// </summary>
public static class RecoveryScenario
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    public static async Task<Dictionary<string, object?>> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var servers = options.Servers("servers");
        if (servers.Count < 2)
        {
            throw new ArgumentException("recovery needs two nodes: --servers A,B");
        }

        var settings = new Settings(
            servers[0], servers[1], options.Text("key"), options.Text("instance", "quiet"), options.Number("clients", 100),
            options.Number("missed", 20), options.Number("connect-concurrency", 100), TimeSpan.FromSeconds(options.Number("background", 2)));
        var busyRate = options.Number("busy-rate", 1000);
        var busyBatch = options.Number("busy-batch", 10);
        var rounds = options.Number("rounds", 5);
        var text = options.Number("text", 200);

        using var redis = await RedisCounters.ConnectAsync(options.Text("redis"), cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("apikey", settings.ApiKey);
        using var quietPublisher = new Publisher(settings.NodeA, settings.ApiKey, settings.Instance, text);

        // The busy instance is published on the node the clients recover on, and has a few subscribers on each node, so
        // its events go through the same lanes and sockets as real traffic without turning this into a fan-out benchmark.
        var busyTally = new DeliveryTally();
        await using var busySubscribers = new ClientPool();
        await busySubscribers.ConnectSocketIoAsync(
            servers, options.Text("busy-instance", "busy"), settings.ApiKey, options.Number("busy-clients", 10), 50, busyTally, cancellationToken);
        using var busyPublisher = new Publisher(settings.NodeB, settings.ApiKey, options.Text("busy-instance", "busy"), text);

        var round = new Round(settings, redis, http, quietPublisher);
        Console.Error.WriteLine($"  warm-up round ({settings.Clients} clients, {settings.Missed} missed events)");
        await round.RunAsync(new PhaseTally(), cancellationToken);

        var quiet = new PhaseTally();
        var busy = new PhaseTally();
        for (var index = 0; index < rounds; index++)
        {
            Console.Error.WriteLine($"  round {index + 1}/{rounds}: neighbour silent");
            await round.RunAsync(quiet, cancellationToken);

            Console.Error.WriteLine($"  round {index + 1}/{rounds}: neighbour at {busyRate} events/s");
            using var stopBusy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var published = busyPublisher.Published;
            var clock = Stopwatch.StartNew();
            var publishing = PublishSteadilyAsync(busyPublisher, busyRate, busyBatch, stopBusy.Token);
            try
            {
                await round.RunAsync(busy, cancellationToken);
            }
            finally
            {
                await stopBusy.CancelAsync();
                await publishing;
            }

            busy.NeighbourEvents += busyPublisher.Published - published;
            busy.NeighbourSeconds += clock.Elapsed.TotalSeconds;
        }

        await Until(() => busyTally.Deliveries >= busyPublisher.Published * busySubscribers.Listeners.Count, "the busy instance's subscribers to get every event", cancellationToken);
        var result = new Dictionary<string, object?>
        {
            ["clients"] = settings.Clients,
            ["missed"] = settings.Missed,
            ["rounds"] = rounds,
            ["busyRate"] = busyRate,
            ["busyClients"] = busySubscribers.Listeners.Count,
            ["quiet"] = quiet.ToResult(),
            ["busy"] = busy.ToResult(),
            ["busyPublished"] = busyPublisher.Published,
            ["busyLost"] = busySubscribers.Listeners.Sum(listener => busyPublisher.Published - listener.Received),
            ["busyOutOfOrder"] = busySubscribers.Listeners.Sum(listener => listener.OutOfOrder),
            ["lost"] = quiet.Lost + busy.Lost,
            ["outOfOrder"] = quiet.OutOfOrder + busy.OutOfOrder,
            ["disconnected"] = busySubscribers.Listeners.Count(listener => listener.Disconnected),
        };
        return result;
    }

    /// <summary>Publishes <paramref name="rate"/> events a second in requests of <paramref name="batch"/>, catching up when late, until stopped.</summary>
    private static async Task PublishSteadilyAsync(Publisher publisher, int rate, int batch, CancellationToken stop)
    {
        if (rate <= 0)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds((double)sent / rate) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }

                // Stopped between requests only: a request cancelled in flight may have been accepted all the same, and the
                // next one would then reuse its sequence numbers.
                await publisher.PublishAsync(batch, CancellationToken.None);
                sent += batch;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task Until(Func<bool> done, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > WaitTimeout)
            {
                throw new TimeoutException($"waited {WaitTimeout.TotalSeconds} s for {what}");
            }

            await Task.Delay(1, cancellationToken);
        }
    }

    private sealed record Settings(
        Uri NodeA, Uri NodeB, string ApiKey, string Instance, int Clients, int Missed, int ConnectConcurrency, TimeSpan Background);

    /// <summary>One recovery of every client: connect to A, drop, miss events, recover on B; adds what it measured to a tally.</summary>
    private sealed class Round(Settings settings, RedisCounters redis, HttpClient http, Publisher publisher)
    {
        private const int EventsBeforeTheDrop = 3;

        public async Task RunAsync(PhaseTally tally, CancellationToken cancellationToken)
        {
            var count = settings.Clients;
            var listeners = Enumerable.Range(0, count).Select(_ => new Listener(new DeliveryTally())).ToArray();
            var clients = new SocketIoClient[count];
            var firstEvent = publisher.Published + 1;
            await ForEachClientAsync(async index =>
                clients[index] = await SocketIoClient.ConnectAsync(settings.NodeA, settings.Instance, settings.ApiKey, listeners[index], cancellationToken), cancellationToken);
            for (var index = 0; index < EventsBeforeTheDrop; index++)
            {
                await publisher.PublishAsync(1, cancellationToken);
            }

            await Until(() => listeners.All(listener => listener.Received == EventsBeforeTheDrop), "every client to receive the first events", cancellationToken);
            if (clients.Any(client => client.Pid is null || client.LastOffset is null))
            {
                throw new InvalidOperationException("no pid in the CONNECT ack or no offset as the events' last argument: this build of the hub offers no recovery");
            }

            var recoveries = clients.Select(client => (client.SocketId, Pid: client.Pid!, Offset: client.LastOffset!)).ToArray();

            // The transports drop (no DISCONNECT packet, so the sockets are recoverable); node A notices before the events they miss.
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await Until(() => listeners.All(listener => listener.Disconnected), "every client's socket to close", cancellationToken);
            foreach (var listener in listeners)
            {
                listener.Disconnected = false;
            }

            await UntilNoConnectionsAsync(settings.NodeA, cancellationToken);
            await publisher.PublishAsync(settings.Missed, cancellationToken);
            var expected = publisher.Published - firstEvent + 1;

            // The background: Redis work without a recovery (the busy instance's, the nodes' heartbeats), to be taken off
            // what the recovery's span counted.
            var backgroundStart = await redis.ReadAsync(cancellationToken);
            await Task.Delay(settings.Background, cancellationToken);
            var before = await redis.ReadAsync(cancellationToken);
            var background = before.Since(backgroundStart);

            var started = new long[count];
            var acknowledged = new long[count];
            await ForEachClientAsync(async index =>
            {
                started[index] = Stopwatch.GetTimestamp();
                clients[index] = await SocketIoClient.ConnectAsync(
                    settings.NodeB, settings.Instance, settings.ApiKey, (recoveries[index].Pid, recoveries[index].Offset), listeners[index], cancellationToken);
                acknowledged[index] = Stopwatch.GetTimestamp();
            }, cancellationToken);

            var recovered = Enumerable.Range(0, count).Where(index => clients[index].SocketId == recoveries[index].SocketId && clients[index].Pid == recoveries[index].Pid).ToArray();
            await UntilReceivedAsync(listeners, recovered, expected, cancellationToken);
            var after = await redis.ReadAsync(cancellationToken);
            var work = after.Since(before);

            foreach (var index in recovered)
            {
                tally.ToAck.Record(Microseconds(started[index], acknowledged[index]));
                tally.ToLastMissed.Record(Microseconds(started[index], listeners[index].LastReceivedAt));
            }

            Console.Error.WriteLine(
                $"    {recovered.Length}/{count} recovered; last CONNECT ack after {Stopwatch.GetElapsedTime(started.Min(), acknowledged.Max()).TotalMilliseconds:F0} ms, " +
                $"last missed event after {work.Seconds * 1000:F0} ms; Redis: {work.Commands:F0} commands, {work.OutputBytes:F0} bytes out");
            tally.Clients += count;
            tally.Recovered += recovered.Length;
            tally.Lost += listeners.Sum(listener => expected - listener.Received);
            tally.OutOfOrder += listeners.Sum(listener => listener.OutOfOrder);
            tally.Gross = tally.Gross.Plus(work);
            tally.Net = tally.Net.Plus(work.Less(background));

            foreach (var client in clients)
            {
                client.Dispose();
            }

            await UntilNoConnectionsAsync(settings.NodeB, cancellationToken);
        }

        private Task ForEachClientAsync(Func<int, ValueTask> connect, CancellationToken cancellationToken) => Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Clients),
            new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectConcurrency, CancellationToken = cancellationToken },
            async (index, _) => await connect(index));

        /// <summary>Until the recovered clients have every event; the others, which got a new socket, get nothing more.</summary>
        private static async Task UntilReceivedAsync(Listener[] listeners, int[] recovered, long expected, CancellationToken cancellationToken)
        {
            var last = -1L;
            var sinceProgress = Stopwatch.StartNew();
            while (true)
            {
                var received = recovered.Sum(index => listeners[index].Received);
                if (received == recovered.Length * expected)
                {
                    return;
                }

                if (received != last)
                {
                    last = received;
                    sinceProgress.Restart();
                }
                else if (sinceProgress.Elapsed > TimeSpan.FromSeconds(5))
                {
                    return;
                }

                await Task.Delay(1, cancellationToken);
            }
        }

        /// <summary>Until <paramref name="node"/> counts no connection of the quiet instance (its own count is kept in its memory).</summary>
        private async Task UntilNoConnectionsAsync(Uri node, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var instances = await http.GetFromJsonAsync<JsonElement>(new Uri(node, "/api/instances"), cancellationToken);
                if (!instances.EnumerateArray().Any(instance => instance.GetProperty("name").GetString() == settings.Instance && instance.GetProperty("connections").GetInt32() > 0))
                {
                    return;
                }

                if (clock.Elapsed > WaitTimeout)
                {
                    throw new TimeoutException($"{node} still counts connections of {settings.Instance} after {WaitTimeout.TotalSeconds} s");
                }

                await Task.Delay(10, cancellationToken);
            }
        }

        private static long Microseconds(long from, long to) => (long)(Stopwatch.GetElapsedTime(from, to).Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>What the rounds of one phase (silent or busy neighbour) measured.</summary>
    private sealed class PhaseTally
    {
        public LatencyHistogram ToAck { get; } = new();

        public LatencyHistogram ToLastMissed { get; } = new();

        public long Clients { get; set; }

        public long Recovered { get; set; }

        public long Lost { get; set; }

        public long OutOfOrder { get; set; }

        public RedisWork Gross { get; set; } = RedisWork.None;

        public RedisWork Net { get; set; } = RedisWork.None;

        public long NeighbourEvents { get; set; }

        public double NeighbourSeconds { get; set; }

        private static double? Milliseconds(LatencyHistogram histogram, double fraction) =>
            histogram.Count == 0 ? null : histogram.PercentileMilliseconds(fraction);

        public Dictionary<string, object?> ToResult()
        {
            var perClient = Math.Max(1, Recovered);
            return new Dictionary<string, object?>
            {
                ["neighbourEventsPerSecond"] = NeighbourSeconds > 0 ? Math.Round(NeighbourEvents / NeighbourSeconds) : 0,
                ["clients"] = Clients,
                ["recovered"] = Recovered,
                ["lost"] = Lost,
                ["outOfOrder"] = OutOfOrder,
                ["ackP50Ms"] = Milliseconds(ToAck, 0.50),
                ["ackP99Ms"] = Milliseconds(ToAck, 0.99),
                ["lastMissedP50Ms"] = Milliseconds(ToLastMissed, 0.50),
                ["lastMissedP99Ms"] = Milliseconds(ToLastMissed, 0.99),
                ["windowSeconds"] = Math.Round(Gross.Seconds, 3),
                ["redisCommandsPerClient"] = Math.Round(Net.Commands / perClient, 2),
                ["redisBytesPerClient"] = Math.Round(Net.OutputBytes / perClient),
                ["redisCommandsPerClientGross"] = Math.Round(Gross.Commands / perClient, 2),
                ["redisBytesPerClientGross"] = Math.Round(Gross.OutputBytes / perClient),
                ["redisCallsPerClient"] = Net.Calls.Where(call => Math.Abs(call.Value) / perClient >= 0.005)
                    .OrderByDescending(call => call.Value)
                    .ToDictionary(call => call.Key, call => Math.Round(call.Value / perClient, 2)),
                ["redisCallsPerClientGross"] = Gross.Calls.OrderByDescending(call => call.Value)
                    .ToDictionary(call => call.Key, call => Math.Round(call.Value / perClient, 2)),
            };
        }
    }
}
