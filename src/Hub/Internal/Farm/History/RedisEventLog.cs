using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Ingest;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.History;

/// <summary>
/// The farm's history: a Redis stream per instance (<c>{prefix}:history:{instance}</c>) and a global one
/// (<c>{prefix}:history-global</c>), each bounded by <c>Recovery:MaxEventsPerInstance</c> (<c>MAXLEN ~</c>) and dropped
/// <c>Recovery:MaxDisconnectionSeconds</c> after its last event; each stream's last offset outlives it in
/// <c>{prefix}:history-last</c>, so a quiet instance's clients still recover. One script per batch takes the offsets from a clock key
/// of the farm (so an offset names one event across every stream), appends, and publishes the entries on
/// <c>{prefix}:events</c>: atomic, so the channel carries each stream in its order.
/// </summary>
internal sealed class RedisEventLog(RedisFarmConnection redis, IOptions<RecoveryOptions> recovery, IOptions<WebsocketOptions> websocket, TimeProvider time)
    : IEventLog
{
    // KEYS: clock, global stream, last offsets, then one instance stream per event. ARGV: maxlen, seconds to keep, global (1/0), channel,
    // then the events' envelopes, then their instances. Publishes a MessagePack array of
    // [instance, offset, previous, global (1/0), global previous, envelope] and returns the offsets.
    private const string AppendScript = """
        local maxlen, ttl, global, channel = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1', ARGV[4]
        local n = #KEYS - 3
        local function last_of(key, field)
          local newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
          if newest[1] then return newest[1][1] end
          return redis.call('HGET', KEYS[3], field) or ''
        end
        local ms, seq = 0, -1
        local clock = redis.call('GET', KEYS[1])
        if clock then
          local dash = string.find(clock, '-', 1, true)
          ms, seq = tonumber(string.sub(clock, 1, dash - 1)), tonumber(string.sub(clock, dash + 1))
        end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local last, offsets, entries = {}, {}, {}
        local global_previous = ''
        if global then global_previous = last_of(KEYS[2], '') end
        for i = 1, n do
          if now > ms then ms, seq = now, 0 else seq = seq + 1 end
          local offset = string.format('%d-%d', ms, seq)
          local key = KEYS[i + 3]
          local envelope, instance = ARGV[4 + i], ARGV[4 + n + i]
          local previous = last[key]
          if previous == nil then previous = last_of(key, instance) end
          redis.call('XADD', key, 'MAXLEN', '~', maxlen, offset, 'p', previous, 'e', envelope)
          redis.call('EXPIRE', key, ttl)
          redis.call('HSET', KEYS[3], instance, offset)
          last[key] = offset
          local flag, previous_global = 0, ''
          if global then
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, offset, 'i', instance, 'p', previous, 'g', global_previous, 'e', envelope)
            flag, previous_global, global_previous = 1, global_previous, offset
          end
          offsets[i] = offset
          entries[i] = { instance, offset, previous, flag, previous_global, envelope }
        end
        redis.call('SET', KEYS[1], string.format('%d-%d', ms, seq))
        if global then
          redis.call('EXPIRE', KEYS[2], ttl)
          redis.call('HSET', KEYS[3], '', global_previous)
        end
        redis.call('PUBLISH', channel, cmsgpack.pack(entries))
        return offsets
        """;

    public async ValueTask<IReadOnlyList<HistoryEntry>> AppendAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var keys = redis.Keys;
        var global = websocket.Value.GlobalEvents;
        RedisKey[] scriptKeys = [keys.HistoryClock, keys.GlobalHistory, keys.HistoryLast, .. events.Select(hubEvent => keys.History(hubEvent.Instance))];
        RedisValue[] arguments =
        [
            Math.Max(1, recovery.Value.MaxEventsPerInstance),
            Math.Max(1, recovery.Value.MaxDisconnectionSeconds),
            global ? 1 : 0,
            keys.EventsChannelName,
            .. events.Select(hubEvent => (RedisValue)StoredEnvelope.Write(hubEvent)),
            .. events.Select(hubEvent => (RedisValue)hubEvent.Instance),
        ];
        var result = await redis.RunAsync(database => database.ScriptEvaluateAsync(AppendScript, scriptKeys, arguments));
        var offsets = (RedisValue[])result!;
        return [.. events.Select((hubEvent, i) => new HistoryEntry(hubEvent, offsets[i].ToString(), "", global ? "" : null))];
    }

    public async ValueTask<IReadOnlyList<HistoryEntry>?> ReadAfterAsync(HistoryStream stream, string after, int count, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(stream);
        if (after.Length == 0)
        {
            var all = await redis.RunAsync(database => database.StreamRangeAsync(key, "-", "+", count));
            return [.. all.Select(entry => Read(stream, entry))];
        }

        if (!Offset.TryParse(after, out _))
        {
            return null;
        }

        // From the offset itself: it must still be there, or be the one before the oldest kept, else the history cannot
        // tell what came after it.
        var entries = await redis.RunAsync(database => database.StreamRangeAsync(key, after, "+", count + 1));
        if (entries.Length > 0 && entries[0].Id == after)
        {
            return [.. entries.Skip(1).Select(entry => Read(stream, entry))];
        }

        if (entries.Length > 0 && entries[0][PreviousField(stream)] == after)
        {
            return [.. entries.Take(count).Select(entry => Read(stream, entry))];
        }

        // The stream expired (its instance was quiet): at its last offset, nothing was missed.
        return entries.Length == 0 && await LastOffsetAsync(stream, cancellationToken) == after ? [] : null;
    }

    public async ValueTask<string> LastOffsetAsync(HistoryStream stream, CancellationToken cancellationToken = default)
    {
        var last = (string?)await redis.RunAsync(database => database.HashGetAsync(redis.Keys.HistoryLast, stream.Instance ?? ""));
        if (!string.IsNullOrEmpty(last))
        {
            return last;
        }

        // Streams written before the last offsets were kept apart.
        var newest = await redis.RunAsync(database => database.StreamRangeAsync(KeyOf(stream), "-", "+", 1, Order.Descending));
        return newest.Length == 0 ? "" : newest[0].Id.ToString();
    }

    private static RedisValue PreviousField(HistoryStream stream) => stream.IsGlobal ? "g" : "p";

    private RedisKey KeyOf(HistoryStream stream) => stream.IsGlobal ? redis.Keys.GlobalHistory : redis.Keys.History(stream.Instance!);

    private HistoryEntry Read(HistoryStream stream, StreamEntry entry)
    {
        var instance = stream.Instance ?? entry["i"].ToString();
        var hubEvent = StoredEnvelope.Read(instance, (byte[])entry["e"]!, time.GetTimestamp());
        return new HistoryEntry(hubEvent, entry.Id.ToString(), entry["p"].ToString(), stream.IsGlobal ? entry["g"].ToString() : null);
    }
}
