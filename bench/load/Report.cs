using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bench.Load;

/// <summary>The comparison table of one run: every scenario's figures for the hub, the Node.js baseline and the ceiling, with the ratios the targets are about.</summary>
public static class Report
{
    private static readonly string[] Targets = ["hub", "baseline", "limit"];
    private static readonly string[] Scenarios = ["fanout", "farm", "latency", "farm-latency", "idle", "projection", "mixed"];
    private const int ProjectedConnections = 100_000;
    private const double MiB = 1024 * 1024;

    private enum Goal
    {
        None,
        AtLeastHalfOfLimit,
        AtMostFourFifthsOfNode,
        AtMostHalfOfNode,
        AtLeastTwiceNode,
    }

    public static string Render(string resultsDirectory)
    {
        var results = Targets.ToDictionary(target => target, target => Scenarios.ToDictionary(scenario => scenario, scenario => Load(resultsDirectory, target, scenario)));
        double? Value(string target, string scenario, Func<JsonElement, double?> read) =>
            results[target][scenario] is { } element ? read(element) : null;
        bool Failed(string target, string scenario) => File.Exists(Path.Combine(resultsDirectory, $"{target}-{scenario}.failed"));
        string Cell(string target, string scenario, double? value, string format) => Failed(target, scenario) ? "failed" : Format(value, format);

        var fanOutClients = results.Values.Select(byScenario => byScenario["fanout"]).OfType<JsonElement>().Select(element => element.GetProperty("clients").GetInt32()).FirstOrDefault();
        var idleClients = results.Values.Select(byScenario => byScenario["idle"]).OfType<JsonElement>().Select(element => element.GetProperty("clients").GetInt32()).FirstOrDefault();
        string WithLatencySizes(string measure, string scenario, string where = "") => results.Values.Select(byScenario => byScenario[scenario]).OfType<JsonElement>()
            .Select(element => $"{measure} ({element.GetProperty("clients").GetInt32()} clients, {element.GetProperty("rate").GetInt32()} events/s{where})")
            .FirstOrDefault(measure);

        var table = new StringBuilder();
        table.AppendLine("| measure | hub | Node.js baseline | ceiling (bare Kestrel) | hub ÷ Node | hub ÷ ceiling | target | met |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        void Row(string measure, string scenario, Func<JsonElement, double?> read, string format, Goal goal)
        {
            var hub = Value("hub", scenario, read);
            var node = Value("baseline", scenario, read);
            var limit = Value("limit", scenario, read);
            var toNode = hub / node;
            var toLimit = hub / limit;
            var (target, met) = goal switch
            {
                Goal.AtLeastHalfOfLimit => ("≥ 0.5× ceiling", toLimit >= 0.5),
                Goal.AtMostFourFifthsOfNode => ("≤ 0.8× Node", toNode <= 0.8),
                Goal.AtMostHalfOfNode => ("≤ 0.5× Node", toNode <= 0.5),
                Goal.AtLeastTwiceNode => ("≥ 2× Node", toNode >= 2),
                _ => ("", (bool?)null),
            };
            var verdict = goal == Goal.None ? "" : Failed("hub", scenario) ? "**failed**" : hub is null ? "pending" : met == true ? "yes" : "**no**";
            table.AppendLine(
                $"| {measure} | {Cell("hub", scenario, hub, format)} | {Cell("baseline", scenario, node, format)} | {Cell("limit", scenario, limit, format)} | " +
                $"{Ratio(toNode)} | {Ratio(toLimit)} | {target} | {verdict} |");
        }

        Row($"fan-out, deliveries/s ({fanOutClients} clients, 1 instance)", "fanout", e => Number(e, "deliveriesPerSecond"), "N0", Goal.AtLeastHalfOfLimit);
        Row("farm of 2 nodes via Redis, deliveries/s", "farm", e => Number(e, "deliveriesPerSecond"), "N0", Goal.AtLeastHalfOfLimit);
        Row(WithLatencySizes("latency p50, ms", "latency"), "latency", e => Number(e, "p50Ms"), "F2", Goal.None);
        Row("latency p99, ms", "latency", e => Number(e, "p99Ms"), "F2", Goal.AtMostFourFifthsOfNode);
        Row(WithLatencySizes("farm latency p50, ms", "farm-latency", " on the first of 2 nodes via Redis, clients on both"), "farm-latency", e => Number(e, "p50Ms"), "F2", Goal.None);
        Row("farm latency p99, ms", "farm-latency", e => Number(e, "p99Ms"), "F2", Goal.AtMostFourFifthsOfNode);
        Row($"memory per idle connection, KiB ({idleClients} connections)", "idle", e => Number(e, "bytesPerConnection") / 1024, "F1", Goal.AtMostHalfOfNode);
        Row("connections/s while ramping", "idle", e => Number(e, "connectionsPerSecond"), "N0", Goal.AtLeastTwiceNode);
        Row("server CPU ms per connection while ramping", "idle", e => Number(e, "serverCpuMillisecondsPerConnection"), "F2", Goal.None);
        Row("server CPU s per million deliveries (fan-out)", "fanout", e => Number(e, "serverCpuSeconds") / Number(e, "deliveries") * 1e6, "F2", Goal.None);
        foreach (var scenario in Scenarios)
        {
            table.AppendLine(LossLine(scenario, results, Failed));
        }

        table.Append(ProjectionTable(resultsDirectory, Failed));

        var mixed = results["hub"]["mixed"];
        if (mixed is { } hubMixed)
        {
            table.AppendLine();
            table.AppendLine("SignalR and Socket.IO clients on the same hub (hub only):");
            table.AppendLine();
            table.AppendLine("| Socket.IO clients | SignalR clients | Socket.IO deliveries/s | SignalR deliveries/s | all deliveries/s | lost / out-of-order / dropped clients |");
            table.AppendLine("|---:|---:|---:|---:|---:|---|");
            table.AppendLine(
                $"| {hubMixed.GetProperty("clients")} | {hubMixed.GetProperty("signalrClients")} | {Format(Number(hubMixed, "socketIoDeliveriesPerSecond"), "N0")} | " +
                $"{Format(Number(hubMixed, "signalrDeliveriesPerSecond"), "N0")} | {Format(Number(hubMixed, "deliveriesPerSecond"), "N0")} | " +
                $"{hubMixed.GetProperty("lost")} / {hubMixed.GetProperty("outOfOrder")} / {hubMixed.GetProperty("disconnected")} |");
        }

        if (Load(resultsDirectory, "hub", "recovery") is { } recovery)
        {
            table.AppendLine();
            table.Append(RecoveryTable(recovery));
        }
        else if (Failed("hub", "recovery"))
        {
            table.AppendLine();
            table.AppendLine("Socket.IO recovery on a farm of 2 nodes (hub only): **failed**");
        }

        return table.ToString().TrimEnd() + Environment.NewLine;
    }

    /// <summary>
    /// Idle connections projected to <see cref="ProjectedConnections"/>: the straight line through the idle scenario at two
    /// sizes (the <c>idle</c> scenario's run, or the <c>projection</c> scenario's own first run, and the <c>projection</c>
    /// run) of the resident memory after the ramp and of the server CPU the ramp took.
    /// </summary>
    private static string ProjectionTable(string resultsDirectory, Func<string, string, bool> failed)
    {
        var points = Targets.ToDictionary(
            target => target,
            target => (First: Load(resultsDirectory, target, "idle") ?? Load(resultsDirectory, target, "projection-first"), Second: Load(resultsDirectory, target, "projection")));
        var measured = points.Values.Where(pair => pair.First is not null && pair.Second is not null).ToArray();
        if (measured.Length == 0 && !Targets.Any(target => failed(target, "projection")))
        {
            return "";
        }

        var (first, second) = measured.Length > 0 ? (Number(measured[0].First!.Value, "clients"), Number(measured[0].Second!.Value, "clients")) : (null, null);
        var table = new StringBuilder();
        table.AppendLine();
        table.AppendLine(
            $"Idle connections projected to {ProjectedConnections:N0}: the straight line through the idle scenario at {Format(first, "N0")} and {Format(second, "N0")} " +
            "connections (each on a freshly started server) of the server's resident memory after the ramp and a settle, and of the server CPU the ramp took " +
            "(the CPU projection holds at the rate measured, with as many handshakes in flight):");
        table.AppendLine();
        table.AppendLine("| | hub | Node.js baseline | ceiling | hub ÷ Node |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        void Row(string measure, Func<JsonElement, JsonElement, double?> read, string format)
        {
            double? Value(string target) => points[target] is ({ } a, { } b) ? read(a, b) : null;
            string Cell(string target) => failed(target, "projection") ? "failed" : Format(Value(target), format);
            table.AppendLine($"| {measure} | {Cell("hub")} | {Cell("baseline")} | {Cell("limit")} | {Ratio(Value("hub") / Value("baseline"))} |");
        }

        LinearFit? Fit(JsonElement a, JsonElement b, string name) =>
            (Number(a, "clients"), Number(a, name), Number(b, "clients"), Number(b, name)) is ({ } x1, { } y1, { } x2, { } y2)
                ? LinearFit.Through((x1, y1), (x2, y2))
                : null;

        Row($"RSS at {Format(first, "N0")} connections, MiB", (a, _) => Number(a, "rssAfterBytes") / MiB, "F1");
        Row($"RSS at {Format(second, "N0")} connections, MiB", (_, b) => Number(b, "rssAfterBytes") / MiB, "F1");
        Row("KiB per connection (slope)", (a, b) => Fit(a, b, "rssAfterBytes")?.Slope / 1024, "F2");
        Row("RSS at 0 connections (intercept), MiB", (a, b) => Fit(a, b, "rssAfterBytes")?.Intercept / MiB, "F1");
        Row($"**projected RSS at {ProjectedConnections:N0} connections, MiB**", (a, b) => Fit(a, b, "rssAfterBytes")?.At(ProjectedConnections) / MiB, "N0");
        Row($"server CPU s of the ramp to {Format(first, "N0")} connections", (a, _) => Number(a, "rampCpuSeconds"), "F2");
        Row($"server CPU s of the ramp to {Format(second, "N0")} connections", (_, b) => Number(b, "rampCpuSeconds"), "F2");
        Row("server CPU ms per connection (slope)", (a, b) => Fit(a, b, "rampCpuSeconds")?.Slope * 1000, "F3");
        Row("server CPU s at 0 connections (intercept)", (a, b) => Fit(a, b, "rampCpuSeconds")?.Intercept, "F2");
        Row($"connections/s while ramping to {Format(second, "N0")}", (_, b) => Number(b, "connectionsPerSecond"), "N0");
        Row($"**projected server CPU s to accept {ProjectedConnections:N0} connections**", (a, b) => Fit(a, b, "rampCpuSeconds")?.At(ProjectedConnections), "F1");
        return table.ToString();
    }

    /// <summary>The recovery scenario's table: the same recovery beside a silent and a busy neighbour, and the ratio.</summary>
    private static string RecoveryTable(JsonElement result)
    {
        var quiet = result.GetProperty("quiet");
        var busy = result.GetProperty("busy");
        var table = new StringBuilder();
        table.AppendLine(
            "Socket.IO connection-state recovery on a farm of 2 nodes (hub only: the Node.js baseline and the ceiling have no recovery). " +
            $"{result.GetProperty("clients")} clients of a quiet instance, dropped from node A, miss {result.GetProperty("missed")} events and recover on node B, all at once; " +
            $"{result.GetProperty("rounds")} rounds with the other instance silent, {result.GetProperty("rounds")} with it publishing on node B " +
            $"({result.GetProperty("busyClients")} subscribers). Redis work from just before the reconnections to the last missed event received, " +
            "less the background's share (measured over 2 s just before: the busy instance's work per publish request times the span's publish requests, " +
            "or the idle nodes' work per second times the span):");
        table.AppendLine();
        table.AppendLine($"| recovery | other instance silent | other instance at {Format(Number(busy, "neighbourEventsPerSecond"), "N0")} events/s | busy ÷ quiet |");
        table.AppendLine("|---|---:|---:|---:|");
        void Row(string measure, string name, string format)
        {
            var (a, b) = (Number(quiet, name), Number(busy, name));
            table.AppendLine($"| {measure} | {Format(a, format)} | {Format(b, format)} | {Ratio(b / a)} |");
        }

        Row("ms to CONNECT ack, p50", "ackP50Ms", "F1");
        Row("ms to CONNECT ack, p99", "ackP99Ms", "F1");
        Row("ms to last missed event, p50", "lastMissedP50Ms", "F1");
        Row("ms to last missed event, p99", "lastMissedP99Ms", "F1");
        Row("Redis commands per recovered client", "redisCommandsPerClient", "F1");
        Row("Redis bytes out per recovered client", "redisBytesPerClient", "N0");
        Row("Redis commands per recovered client, background included", "redisCommandsPerClientGross", "F1");
        Row("Redis bytes out per recovered client, background included", "redisBytesPerClientGross", "N0");
        table.AppendLine($"| Redis calls per recovered client, by command | {Calls(quiet)} | {Calls(busy)} | |");
        table.AppendLine($"| recovered / clients | {quiet.GetProperty("recovered")} / {quiet.GetProperty("clients")} | {busy.GetProperty("recovered")} / {busy.GetProperty("clients")} | |");
        table.AppendLine($"| missed events lost / out-of-order | {quiet.GetProperty("lost")} / {quiet.GetProperty("outOfOrder")} | {busy.GetProperty("lost")} / {busy.GetProperty("outOfOrder")} | |");
        table.AppendLine(
            $"| the busy instance's subscribers: lost / out-of-order / dropped | | {result.GetProperty("busyLost")} / {result.GetProperty("busyOutOfOrder")} / " +
            $"{result.GetProperty("disconnected")} of {result.GetProperty("busyPublished")} events | |");
        return table.ToString();
    }

    private static string Calls(JsonElement phase) => string.Join(", ", phase.GetProperty("redisCallsPerClient").EnumerateObject()
        .Where(call => Math.Abs(call.Value.GetDouble()) >= 0.05)
        .Select(call => $"{call.Name} {call.Value.GetDouble().ToString("0.0", CultureInfo.InvariantCulture)}"));

    private static string LossLine(string scenario, Dictionary<string, Dictionary<string, JsonElement?>> results, Func<string, string, bool> failed)
    {
        string Cell(string target) => results[target][scenario] is { } element
            ? $"{element.GetProperty("lost")} / {element.GetProperty("outOfOrder")} / {element.GetProperty("disconnected")}"
            : failed(target, scenario) ? "failed" : "—";
        var allZero = Targets.All(target => results[target][scenario] is not { } element
            || (element.GetProperty("lost").GetInt64() == 0 && element.GetProperty("outOfOrder").GetInt64() == 0));
        var anyFailed = Targets.Any(target => failed(target, scenario));
        var verdict = anyFailed ? "**failed**" : results["hub"][scenario] is null ? "pending" : allZero ? "yes" : "**no**";
        return $"| {scenario}: lost / out-of-order / dropped clients | {Cell("hub")} | {Cell("baseline")} | {Cell("limit")} | | | 0 lost | {verdict} |";
    }

    private static JsonElement? Load(string directory, string target, string scenario)
    {
        var path = Path.Combine(directory, $"{target}-{scenario}.json");
        return File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;
    }

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Format(double? value, string format) => value is { } number && double.IsFinite(number) ? number.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string Ratio(double? value) => value is { } number && double.IsFinite(number) ? number.ToString("0.00×", CultureInfo.InvariantCulture) : "—";
}
