using System.Buffers;
using System.IO.Pipelines;

using EvolutionHub.Bridge.Internal.Hubs.Protocol;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>
/// A hub connection's output, which nothing reads: each flush turns the frames the hub wrote into Engine.IO packets on
/// the writer's thread, so a group send queues on every socket without a pipe, a pump or a thread hop per connection.
/// The first bytes, SignalR's handshake response, are dropped; frames that arrive before <see cref="StartForwarding"/> are
/// held back (the client must see the CONNECT ack first). Holds no buffer while idle.
/// </summary>
internal sealed class HubOutputWriter(IHubFrameHandler handler) : PipeWriter
{
    private const int MinimumBufferSize = 512;
    private const byte RecordSeparator = 0x1E;

    private readonly Lock _lock = new();

    // The hub writes one message at a time (SignalR's write lock): _buffer is the writer's own.
    private byte[] _buffer = [];
    private int _buffered;

    // Under _lock: bytes flushed but not forwarded yet (the handshake pending, forwarding not started, a partial frame).
    private byte[] _pending = [];
    private int _pendingLength;
    private bool _handshakeRead;
    private bool _forwarding;
    private bool _completed;

    public void StartForwarding()
    {
        lock (_lock)
        {
            _forwarding = true;
            DrainPending();
            if (_completed)
            {
                ReturnPending();
            }
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        var needed = _buffered + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumBufferSize));
            _buffer.AsSpan(0, _buffered).CopyTo(larger);
            ReturnBuffer();
            _buffer = larger;
        }

        return _buffer.AsMemory(_buffered);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes) => _buffered += bytes;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_buffered > 0)
        {
            try
            {
                lock (_lock)
                {
                    Accept(_buffer.AsMemory(0, _buffered), shared: false);
                }
            }
            finally
            {
                _buffered = 0;
                ReturnBuffer();
            }
        }

        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _completed));
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_buffered > 0)
        {
            source.Span.CopyTo(GetSpan(source.Length));
            Advance(source.Length);
            return FlushAsync(cancellationToken);
        }

        // SignalR hands a serialised message over whole, the same bytes to every connection it reaches.
        lock (_lock)
        {
            Accept(source, shared: true);
        }

        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _completed));
    }

    /// <summary>The connection ended without ever forwarding: what was held back is dropped.</summary>
    public void Discard()
    {
        lock (_lock)
        {
            ReturnPending();
        }
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_lock)
        {
            _completed = true;

            // What the hub wrote before it ended still reaches the client once forwarding starts.
            if (_forwarding)
            {
                ReturnPending();
            }
        }

    }

    private void Accept(ReadOnlyMemory<byte> data, bool shared)
    {
        if (_completed)
        {
            return;
        }

        if (_pendingLength == 0 && _forwarding && _handshakeRead)
        {
            var rest = Forward(data, shared);
            if (!rest.IsEmpty)
            {
                AppendPending(rest.Span);
            }

            return;
        }

        AppendPending(data.Span);
        DrainPending();
    }

    private void DrainPending()
    {
        if (!_handshakeRead)
        {
            // Whether the hub accepted it shows anyway: a refused handshake ends the hub connection.
            var end = _pending.AsSpan(0, _pendingLength).IndexOf(RecordSeparator);
            if (end < 0)
            {
                return;
            }

            _handshakeRead = true;
            ConsumePending(end + 1);
        }

        if (_forwarding && _pendingLength > 0)
        {
            var forwarded = _pendingLength;
            try
            {
                forwarded -= Forward(_pending.AsMemory(0, _pendingLength), shared: false).Length;
            }
            finally
            {
                // Should a frame fail, what is left goes too: a frame must never reach the client twice.
                ConsumePending(forwarded);
            }
        }
    }

    private ReadOnlyMemory<byte> Forward(ReadOnlyMemory<byte> data, bool shared)
    {
        var frames = new ReadOnlySequence<byte>(data);
        while (BridgeFrame.TryRead(ref frames, out var frame))
        {
            handler.OnFrame(frame, shared);
        }

        return data[(int)(data.Length - frames.Length)..];
    }

    private void AppendPending(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pendingLength + data.Length, MinimumBufferSize));
            var held = _pendingLength;
            _pending.AsSpan(0, held).CopyTo(larger);
            ReturnPending();
            _pending = larger;
            _pendingLength = held;
        }

        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
    }

    private void ConsumePending(int count)
    {
        _pending.AsSpan(count, _pendingLength - count).CopyTo(_pending);
        _pendingLength -= count;
        if (_pendingLength == 0)
        {
            ReturnPending();
        }
    }

    private void ReturnPending()
    {
        if (_pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
        }

        _pending = [];
        _pendingLength = 0;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
    }
}
