using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Threading.Channels;
using StackExchange.Redis;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// Hands each accepted event's frame, serialised once, to every socket of its namespace. Like the hub, a publish is
/// answered once its events are queued; one loop takes whatever was accepted since its last turn and writes those
/// frames socket by socket (all of a socket's frames back to back, so Kestrel sends them together). With Redis, each
/// such batch also goes to the other nodes as one message on one pub/sub channel.
/// </summary>
public sealed class Broadcaster
{
    private const int MaxBatch = 256;
    private static readonly RedisChannel FarmChannel = RedisChannel.Literal("limit:frames");

    private readonly Namespaces _namespaces;
    private readonly Channel<Frame> _accepted = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ISubscriber? _farm;
    private readonly Guid _nodeId = Guid.NewGuid();

    public Broadcaster(Namespaces namespaces, IConnectionMultiplexer? redis)
    {
        _namespaces = namespaces;
        if (redis is not null)
        {
            _farm = redis.GetSubscriber();
            _farm.Subscribe(FarmChannel).OnMessage(message => BroadcastFromFarm(message.Message));
        }
    }

    /// <summary>An event frame (<c>42/{instance},[…]</c>) for namespace <see cref="Namespace"/>.</summary>
    public readonly record struct Frame(string Namespace, ReadOnlyMemory<byte> Bytes);

    public void Accept(Frame frame) => _accepted.Writer.TryWrite(frame);

    public async Task BroadcastAcceptedAsync(CancellationToken stopping)
    {
        var reader = _accepted.Reader;
        while (await reader.WaitToReadAsync(stopping))
        {
            var batch = new List<Frame>();
            while (batch.Count < MaxBatch && reader.TryRead(out var frame))
            {
                batch.Add(frame);
            }

            _farm?.Publish(FarmChannel, FarmMessage(batch), CommandFlags.FireAndForget);
            Broadcast(batch);
        }
    }

    /// <summary>Runs of frames of one namespace go to each of its sockets back to back; runs keep their order.</summary>
    private void Broadcast(IReadOnlyList<Frame> batch)
    {
        for (var start = 0; start < batch.Count;)
        {
            var name = batch[start].Namespace;
            var end = start + 1;
            while (end < batch.Count && batch[end].Namespace == name)
            {
                end++;
            }

            var frames = new ReadOnlyMemory<byte>[end - start];
            for (var index = start; index < end; index++)
            {
                frames[index - start] = batch[index].Bytes;
            }

            foreach (var connection in _namespaces.Members(name))
            {
                connection.Send(frames);
            }

            start = end;
        }
    }

    /// <summary>The node's id, then per frame: namespace length, namespace (UTF-8), frame length, frame.</summary>
    private byte[] FarmMessage(List<Frame> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        _nodeId.TryWriteBytes(buffer.GetSpan(16));
        buffer.Advance(16);
        foreach (var frame in batch)
        {
            WriteField(buffer, Encoding.UTF8.GetBytes(frame.Namespace));
            WriteField(buffer, frame.Bytes.Span);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteField(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> field)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), field.Length);
        buffer.Advance(4);
        buffer.Write(field);
    }

    private void BroadcastFromFarm(RedisValue message)
    {
        var bytes = (ReadOnlyMemory<byte>)message;
        if (new Guid(bytes.Span[..16]) == _nodeId)
        {
            return;
        }

        var batch = new List<Frame>();
        for (var rest = bytes[16..]; !rest.IsEmpty;)
        {
            var name = Encoding.UTF8.GetString(ReadField(ref rest).Span);
            batch.Add(new Frame(name, ReadField(ref rest)));
        }

        Broadcast(batch);
    }

    private static ReadOnlyMemory<byte> ReadField(ref ReadOnlyMemory<byte> rest)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(rest.Span);
        var field = rest.Slice(4, length);
        rest = rest[(4 + length)..];
        return field;
    }
}
