using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// The farm's Redis keys and channels, all under <see cref="RedisOptions.Prefix"/>. The braces are a hash tag: every key
/// lands in one cluster slot, so the scripts that touch several of them stay valid. Channels are named without the
/// prefix: the farm's connection puts <c>{prefix}:</c> in front of every channel it uses.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: instance → token.</summary>
    public RedisKey Tokens { get; } = $"{{{prefix}}}:tokens";

    /// <summary>Hash: SHA-256 of a token → instance; unique tokens and lookups that never compare against every token.</summary>
    public RedisKey TokenOwners { get; } = $"{{{prefix}}}:token-owners";

    /// <summary>Hash: instance → SHA-256 of its token, to drop the old owner entry on rotation.</summary>
    public RedisKey TokenHashes { get; } = $"{{{prefix}}}:token-hashes";

    /// <summary>Hash: instance → settings JSON.</summary>
    public RedisKey Settings { get; } = $"{{{prefix}}}:settings";

    /// <summary>Set of the node ids that published connection counts.</summary>
    public RedisKey Nodes { get; } = $"{{{prefix}}}:nodes";

    /// <summary>Hash: instance → that node's connection count; expires unless its node refreshes it.</summary>
    public RedisKey NodeConnections(string nodeId) => $"{{{prefix}}}:connections:{nodeId}";

    /// <summary>Carries the instance whose token holders every node must disconnect.</summary>
    public RedisChannel Revocations { get; } = RedisChannel.Literal("revocations");

    /// <summary>Stream: an instance's history (expires once the instance was quiet for the recovery window).</summary>
    public RedisKey History(string instance) => $"{{{prefix}}}:history:{instance}";

    /// <summary>Stream: the global history, every instance's events when global events are on.</summary>
    public RedisKey GlobalHistory { get; } = $"{{{prefix}}}:history-global";

    /// <summary>
    /// Hash: each stream's last offset (field: the instance; "" for the global stream), kept after the stream itself
    /// expired, so that a client holding it is known to have missed nothing.
    /// </summary>
    public RedisKey HistoryLast { get; } = $"{{{prefix}}}:history-last";

    /// <summary>String: the last offset issued, the farm's clock for offsets.</summary>
    public RedisKey HistoryClock { get; } = $"{{{prefix}}}:history-clock";

    /// <summary>String: a Socket.IO socket's session record under its private id, while it may be recovered.</summary>
    public RedisKey SocketIoSession(string pid) => $"{{{prefix}}}:socketio-session:{pid}";

    /// <summary>Carries every appended history entry to every node, in the streams' order.</summary>
    public RedisChannel Events { get; } = RedisChannel.Literal("events");

    /// <summary>The whole name of <see cref="Events"/>, for the script that publishes on it: scripts bypass the connection's prefix.</summary>
    public string EventsChannelName { get; } = $"{prefix}:events";

    /// <summary>String written (and expiring) every second: whether Redis takes writes.</summary>
    public RedisKey WriteProbe { get; } = $"{{{prefix}}}:write-probe";

    /// <summary>A channel of one readiness probe.</summary>
    public RedisChannel ReadinessProbe(string id) => RedisChannel.Literal("ready:" + id);
}
