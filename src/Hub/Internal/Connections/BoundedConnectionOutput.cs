using System.Buffers;
using System.IO.Pipelines;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// The output of one SignalR connection. The hub writes into a queue that never makes it wait; a pump hands the queue to
/// the transport as fast as the transport takes it. So a group send never waits on a client that does not read: once more
/// than <c>SignalR:MaxBufferedBytes</c> wait in the queue behind what the transport is sending, the client is too slow,
/// and the connection is aborted with an error instead. A single message larger than the budget still goes out to a
/// client with nothing waiting.
/// </summary>
internal sealed class BoundedConnectionOutput : PipeWriter
{
    // The pump runs inline on the flush that hands it data: a queue with nothing waiting is taken at once.
    private readonly Pipe _queue = new(new PipeOptions(
        pauseWriterThreshold: 0, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));

    private readonly PipeWriter _transport;
    private readonly long _maxBufferedBytes;
    private readonly Action _onTooSlow;
    private long _queued;
    private long _unflushed;
    private bool _stopped;
    private Exception? _completion;

    public BoundedConnectionOutput(PipeWriter transport, long maxBufferedBytes, Action onTooSlow)
    {
        _transport = transport;
        _maxBufferedBytes = maxBufferedBytes;
        _onTooSlow = onTooSlow;
        _ = PumpAsync();
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _queue.Writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _queue.Writer.GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        _queue.Writer.Advance(bytes);
        _unflushed += bytes;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _stopped))
        {
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
        }

        var size = _unflushed;
        _unflushed = 0;
        var waiting = Interlocked.Add(ref _queued, size) - size;
        if (waiting > 0 && waiting + size > _maxBufferedBytes)
        {
            Volatile.Write(ref _stopped, true);
            _queue.Reader.CancelPendingRead();
            _transport.CancelPendingFlush();
            _onTooSlow();
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
        }

        return _queue.Writer.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => _queue.Writer.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        // The pump hands the exception to the transport once the queue is drained: the queue itself completes cleanly so
        // that its reader gets what is left first.
        _completion ??= exception;
        _queue.Writer.Complete();
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                if (Volatile.Read(ref _stopped))
                {
                    return;
                }

                var buffer = read.Buffer;
                foreach (var segment in buffer)
                {
                    _transport.Write(segment.Span);
                }

                reader.AdvanceTo(buffer.End);
                Interlocked.Add(ref _queued, -buffer.Length);
                var flushed = await _transport.FlushAsync();
                if (read.IsCompleted)
                {
                    await _transport.CompleteAsync(_completion);
                    return;
                }

                if (flushed.IsCompleted || Volatile.Read(ref _stopped))
                {
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            // The transport went away under the pump: the connection ends with it.
            await _transport.CompleteAsync(exception);
        }
        finally
        {
            Volatile.Write(ref _stopped, true);
            // Later writes are dropped: a pipe whose reader completed takes no more data.
            await reader.CompleteAsync();
        }
    }
}
