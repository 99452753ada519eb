using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// A redis-server's work counters, read over one raw RESP connection with <c>INFO stats commandstats</c>: calls per
/// command (commands run by scripts included, as Redis counts them) and the bytes it wrote to its clients
/// (<c>total_net_output_bytes</c>).
/// </summary>
public sealed class RedisCounters : IDisposable
{
    private static readonly byte[] InfoCommand = "*3\r\n$4\r\nINFO\r\n$5\r\nstats\r\n$12\r\ncommandstats\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RedisCounters(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects to <paramref name="endpoint"/>: <c>host:port</c> or <c>redis://host:port</c>.</summary>
    public static async Task<RedisCounters> ConnectAsync(string endpoint, CancellationToken cancellationToken)
    {
        var address = new Uri(endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "redis://" + endpoint);
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(address.Host, address.Port, cancellationToken);
        return new RedisCounters(tcp);
    }

    public async Task<RedisSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var takenAt = Stopwatch.GetTimestamp();
        await _stream.WriteAsync(InfoCommand, cancellationToken);
        var header = await ReadLineAsync(cancellationToken);
        if (header.Length < 2 || header[0] != '$')
        {
            throw new InvalidOperationException($"INFO answered '{header}'");
        }

        var length = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var body = new byte[length + 2];
        await _stream.ReadExactlyAsync(body, cancellationToken);

        long outputBytes = 0;
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(body, 0, length).Split("\r\n"))
        {
            if (line.StartsWith("total_net_output_bytes:", StringComparison.Ordinal))
            {
                outputBytes = long.Parse(line.AsSpan("total_net_output_bytes:".Length), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("cmdstat_", StringComparison.Ordinal) && line.IndexOf(":calls=", StringComparison.Ordinal) is > 0 and var colon)
            {
                var value = line.AsSpan(colon + ":calls=".Length);
                calls[line["cmdstat_".Length..colon]] = long.Parse(value[..value.IndexOf(',')], CultureInfo.InvariantCulture);
            }
        }

        return new RedisSnapshot(takenAt, outputBytes, calls, header.Length + 2 + body.Length);
    }

    public void Dispose() => _tcp.Dispose();

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            await _stream.ReadExactlyAsync(one, cancellationToken);
            if (one[0] == '\n' && line.Length > 0 && line[^1] == '\r')
            {
                return line.ToString(0, line.Length - 1);
            }

            line.Append((char)one[0]);
        }
    }
}

/// <summary>
/// The counters at one moment. <see cref="ReplyBytes"/>: the size of the INFO reply that read them, which Redis counts
/// in its output after the snapshot, so in the next difference.
/// </summary>
public sealed record RedisSnapshot(long TakenAt, long OutputBytes, IReadOnlyDictionary<string, long> Calls, int ReplyBytes)
{
    /// <summary>The work done between <paramref name="earlier"/> and this snapshot, without the INFO that read them.</summary>
    public RedisWork Since(RedisSnapshot earlier) => new(
        Stopwatch.GetElapsedTime(earlier.TakenAt, TakenAt).TotalSeconds,
        OutputBytes - earlier.OutputBytes - earlier.ReplyBytes,
        Calls.Where(call => call.Key != "info")
            .Select(call => (call.Key, Count: call.Value - earlier.Calls.GetValueOrDefault(call.Key)))
            .Where(call => call.Count != 0)
            .ToDictionary(call => call.Key, call => (double)call.Count, StringComparer.Ordinal));
}

/// <summary>Redis work over a span of time: bytes written to clients, calls per command.</summary>
public sealed record RedisWork(double Seconds, double OutputBytes, IReadOnlyDictionary<string, double> Calls)
{
    public static RedisWork None { get; } = new(0, 0, new Dictionary<string, double>(StringComparer.Ordinal));

    public double Commands => Calls.Values.Sum();

    /// <summary>
    /// This work less <paramref name="background"/>'s share: its work per publish request (an <c>EVALSHA</c> of the
    /// script that appends a batch, the commands it runs, the deliveries it causes) times this span's publish requests;
    /// when the background published nothing, its work per second times this span's length.
    /// </summary>
    public RedisWork Less(RedisWork background)
    {
        var publishes = background.Calls.GetValueOrDefault("evalsha");
        var scale = publishes > 0 ? Calls.GetValueOrDefault("evalsha") / publishes
            : background.Seconds > 0 ? Seconds / background.Seconds
            : 0;
        var calls = Calls.Keys.Union(background.Calls.Keys)
            .ToDictionary(command => command, command => Calls.GetValueOrDefault(command) - scale * background.Calls.GetValueOrDefault(command), StringComparer.Ordinal);
        return new RedisWork(Seconds, OutputBytes - scale * background.OutputBytes, calls);
    }

    public RedisWork Plus(RedisWork other) => new(
        Seconds + other.Seconds,
        OutputBytes + other.OutputBytes,
        Calls.Keys.Union(other.Calls.Keys).ToDictionary(
            command => command, command => Calls.GetValueOrDefault(command) + other.Calls.GetValueOrDefault(command), StringComparer.Ordinal));
}
