using System.Diagnostics;
using System.Threading.Channels;
using EvolutionHub.Internal.Connections;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.Connections;

/// <summary>
/// The farm's <see cref="IConnectionTracker"/>. Each node counts its own connections in memory and writes the whole
/// snapshot to a key of its own that expires unless refreshed: after a change (changes within
/// <see cref="ChangeCoalescing"/> of the last write share the next one, so a burst of connections costs Redis a write
/// per tenth of a second, not one each) and on a heartbeat. A node that dies
/// stops counting once its key expires, and a Redis that restarted empty is filled again by the next heartbeat.
/// </summary>
internal sealed partial class RedisConnectionTracker(
    LocalConnectionTracker local, RedisFarmConnection redis, IOptions<RedisOptions> options, ILogger<RedisConnectionTracker> logger)
    : BackgroundService, IConnectionTracker
{
    // KEYS: nodes, that node's counts. ARGV: node id.
    private const string ForgetIfGoneScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
        return 0
        """;

    private static readonly TimeSpan CleanStopTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ChangeCoalescing = TimeSpan.FromMilliseconds(100);

    private readonly string _nodeId = Guid.NewGuid().ToString("N");
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _failing;

    private TimeSpan NodeTimeout => TimeSpan.FromSeconds(Math.Max(3, options.Value.NodeTimeoutSeconds));

    private RedisKey NodeKey => redis.Keys.NodeConnections(_nodeId);

    public async ValueTask TrackAsync(string instance, string connectionId)
    {
        await local.TrackAsync(instance, connectionId);
        _changed.Writer.TryWrite(true);
    }

    public async ValueTask UntrackAsync(string instance, string connectionId)
    {
        await local.UntrackAsync(instance, connectionId);
        _changed.Writer.TryWrite(true);
    }

    /// <summary>This node's counts from memory plus every live node's from Redis.</summary>
    public async ValueTask<IReadOnlyDictionary<string, int>> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, int>(await local.GetCountsAsync(cancellationToken), StringComparer.Ordinal);
        var nodes = await redis.RunAsync(db => db.SetMembersAsync(redis.Keys.Nodes));
        foreach (var node in nodes.Select(node => node.ToString()).Where(node => node != _nodeId))
        {
            var entries = await redis.RunAsync(db => db.HashGetAllAsync(redis.Keys.NodeConnections(node)));
            if (entries.Length == 0)
            {
                // Expired (its node is gone) or empty (it has no connections, and adds itself back on its next write);
                // checked again inside the script, in case the node wrote in between.
                await redis.RunAsync(db => db.ScriptEvaluateAsync(ForgetIfGoneScript, [redis.Keys.Nodes, redis.Keys.NodeConnections(node)], [node]));
                continue;
            }

            foreach (var entry in entries)
            {
                counts[entry.Name.ToString()] = counts.GetValueOrDefault(entry.Name.ToString()) + (int)entry.Value;
            }
        }

        return counts;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = new PeriodicTimer(NodeTimeout / 3);
        var tick = heartbeat.WaitForNextTickAsync(stoppingToken).AsTask();
        var changed = _changed.Reader.WaitToReadAsync(stoppingToken).AsTask();
        while (true)
        {
            await WriteSnapshotAsync();
            var written = Stopwatch.GetTimestamp();
            try
            {
                var woken = await Task.WhenAny(tick, changed);
                await woken;
                if (woken == tick)
                {
                    tick = heartbeat.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    var sinceWritten = Stopwatch.GetElapsedTime(written);
                    if (sinceWritten < ChangeCoalescing)
                    {
                        await Task.Delay(ChangeCoalescing - sinceWritten, stoppingToken);
                    }

                    _changed.Reader.TryRead(out _);
                    changed = _changed.Reader.WaitToReadAsync(stoppingToken).AsTask();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!redis.IsConnected)
        {
            Log.CountsLeftBehind(logger, _nodeId, NodeTimeout);
            return;
        }

        try
        {
            // A node that stops cleanly leaves no counts behind for the others to wait out.
            var transaction = redis.Database.CreateTransaction();
            _ = transaction.KeyDeleteAsync(NodeKey);
            _ = transaction.SetRemoveAsync(redis.Keys.Nodes, _nodeId);
            // Bounded well below the host's shutdown timeout: a Redis that does not answer must not hold up the stop.
            await transaction.ExecuteAsync().WaitAsync(CleanStopTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException or OperationCanceledException or TimeoutException)
        {
            // Redis went away while the node stopped: its counts expire by themselves; the node still stops cleanly.
            Log.CountsLeftBehind(logger, _nodeId, NodeTimeout, exception);
        }
    }

    private async Task WriteSnapshotAsync()
    {
        if (!redis.IsConnected)
        {
            return;
        }

        var counts = await local.GetCountsAsync();
        var transaction = redis.Database.CreateTransaction();
        _ = transaction.KeyDeleteAsync(NodeKey);
        if (counts.Count > 0)
        {
            _ = transaction.HashSetAsync(NodeKey, [.. counts.Select(count => new HashEntry(count.Key, count.Value))]);
            _ = transaction.KeyExpireAsync(NodeKey, NodeTimeout);
            _ = transaction.SetAddAsync(redis.Keys.Nodes, _nodeId);
        }

        try
        {
            await transaction.ExecuteAsync();
            if (_failing)
            {
                _failing = false;
                Log.SnapshotRestored(logger, _nodeId);
            }
        }
        catch (Exception exception)
        {
            // Whatever Redis answers (unreachable, OOM, READONLY …), the heartbeat only waits for the next beat: a
            // background service that throws would stop the node.
            if (!_failing)
            {
                _failing = true;
                Log.SnapshotFailed(logger, _nodeId, exception);
            }
        }
    }
}
