using System.Threading.Channels;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.History;
using MessagePack;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.History;

/// <summary>
/// Feeds this node's lanes from <c>{prefix}:events</c>, in the channel's order (one reader). Pub/sub keeps nothing: when
/// the node's subscription connection comes back after a drop, it publishes a marker of its own on the channel, and once
/// the marker comes back (so the subscription is live again) every stream with subscribers here reads what it missed from
/// the history. Missed events followed by others are caught anyway, by their successors' previous offsets.
/// The channel also says when an instance's filter changed: the lanes keep the filters they read only while the
/// subscription is confirmed live (from the node's first marker on, until the subscription drops), so none is kept past a
/// change this node did not hear.
/// </summary>
internal sealed partial class RedisEventFeed(RedisFarmConnection redis, EventLanes lanes, TimeProvider time, ILogger<RedisEventFeed> logger)
    : BackgroundService
{
    private const string MarkerPrefix = "restored:";
    private const string FilterChangedPrefix = "filter:";
    private static readonly TimeSpan MarkerWait = TimeSpan.FromSeconds(1);

    private readonly string _marker = MarkerPrefix + Guid.NewGuid().ToString("N");
    private readonly Channel<bool> _restored = Channel.CreateUnbounded<bool>();
    private volatile TaskCompletionSource _markerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Remembered and sent again whenever Redis connects, so the node may start while Redis is away.
        var queue = redis.Multiplexer.GetSubscriber().Subscribe(redis.Keys.Events, CommandFlags.FireAndForget);
        redis.Multiplexer.ConnectionFailed += OnConnectionFailed;
        redis.Multiplexer.ConnectionRestored += OnConnectionRestored;

        // Until its first marker comes back, the node cannot tell that it hears every filter change.
        _restored.Writer.TryWrite(true);
        try
        {
            await Task.WhenAll(ReadAsync(queue, stoppingToken), ConfirmRestorationsAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.Multiplexer.ConnectionFailed -= OnConnectionFailed;
            redis.Multiplexer.ConnectionRestored -= OnConnectionRestored;
            queue.Unsubscribe(CommandFlags.FireAndForget);
        }
    }

    /// <summary>The message that tells every node <paramref name="instance"/>'s filter changed, published after the change.</summary>
    public static string FilterChangedMessage(string instance) => FilterChangedPrefix + instance;

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            lanes.KeepFilters(false);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _restored.Writer.TryWrite(true);
        }
    }

    private async Task ReadAsync(ChannelMessageQueue queue, CancellationToken stoppingToken)
    {
        while (true)
        {
            var message = await queue.ReadAsync(stoppingToken);
            try
            {
                Handle(message.Message);
            }
            catch (Exception exception) when (exception is MessagePackSerializationException or FormatException or System.Text.Json.JsonException or EndOfStreamException)
            {
                Log.Unreadable(logger, exception);
            }
        }
    }

    private void Handle(RedisValue message)
    {
        // Entries are a MessagePack array, whose first byte is never a letter.
        var bytes = (ReadOnlyMemory<byte>)message;
        if (bytes.Length > 0 && bytes.Span[0] == (byte)MarkerPrefix[0])
        {
            if (message.ToString() == _marker)
            {
                _markerSeen.TrySetResult();
                lanes.KeepFilters(true);
                lanes.CatchUpAll();
            }

            return;
        }

        if (bytes.Length > 0 && bytes.Span[0] == (byte)FilterChangedPrefix[0])
        {
            lanes.FilterChanged(message.ToString()[FilterChangedPrefix.Length..]);
            return;
        }

        var reader = new MessagePackReader(bytes);
        var count = reader.ReadArrayHeader();
        var receivedAt = time.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            reader.ReadArrayHeader();
            var instance = reader.ReadString()!;
            var offset = reader.ReadString()!;
            var previous = reader.ReadString()!;
            var global = reader.ReadInt32() == 1;
            var globalPrevious = reader.ReadString()!;
            var envelope = reader.ReadStringSequence() ?? default;
            var hubEvent = StoredEnvelope.Read(instance, System.Buffers.BuffersExtensions.ToArray(envelope), receivedAt);
            lanes.Enqueue(new HistoryEntry(hubEvent, offset, previous, global ? globalPrevious : null));
        }
    }

    /// <summary>After each restored subscription connection: publishes the marker until it comes back.</summary>
    private async Task ConfirmRestorationsAsync(CancellationToken stoppingToken)
    {
        while (await _restored.Reader.WaitToReadAsync(stoppingToken))
        {
            while (_restored.Reader.TryRead(out _))
            {
            }

            var seen = _markerSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            while (!seen.Task.IsCompleted && !_restored.Reader.TryPeek(out _))
            {
                try
                {
                    await redis.Multiplexer.GetSubscriber().PublishAsync(redis.Keys.Events, _marker);
                    await seen.Task.WaitAsync(MarkerWait, stoppingToken);
                }
                catch (Exception exception) when (exception is TimeoutException or RedisException)
                {
                    // Not back yet, or gone again: try again (a new restoration starts over).
                    await Task.Delay(MarkerWait / 4, stoppingToken);
                }
            }
        }
    }
}
