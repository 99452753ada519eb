using System.Text.Json;
using EvolutionHub.Bench.Load;

if (args.Length == 0)
{
    Console.Error.WriteLine("""
        usage: load SCENARIO --servers URL[,URL] --key KEY [--out FILE] [options]
          throughput  --clients 1000 --events 2000 --warmup 200 --batch 20 --window 200 [--signalr-clients N] [--pids PID,..]
          latency     --clients 500 --rate 100 --seconds 20   (several servers: clients spread over them, events published on the first)
          idle        --clients 10000 --connect-concurrency 100 --settle 5 --pids PID [--hold SECONDS]
          recovery    --servers A,B --redis HOST:PORT --clients 100 --missed 20 --busy-rate 1000 --busy-batch 10 --busy-clients 10
                      --rounds 5 --background 2   (Socket.IO recovery on B of clients dropped from A, neighbour silent vs busy)
          report      --results DIR   (prints the comparison table of a run as Markdown)
        """);
    return 2;
}

var options = new Options(args.Skip(1));
if (args[0] == "report")
{
    Console.Write(Report.Render(options.Text("results")));
    return 0;
}

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.Number("timeout", 300)));
var result = args[0] switch
{
    "throughput" => await Scenarios.ThroughputAsync(options, deadline.Token),
    "latency" => await Scenarios.LatencyAsync(options, deadline.Token),
    "idle" => await Scenarios.IdleAsync(options, deadline.Token),
    "recovery" => await RecoveryScenario.RunAsync(options, deadline.Token),
    _ => throw new ArgumentException($"unknown scenario '{args[0]}'"),
};

var json = JsonSerializer.Serialize(result);
Console.WriteLine(json);
if (options.Text("out", "") is { Length: > 0 } path)
{
    await File.WriteAllTextAsync(path, json);
}

return 0;
