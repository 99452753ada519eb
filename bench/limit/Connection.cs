using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// One Engine.IO WebSocket. Frames queue in an outbox drained by at most one send loop at a time, started on demand,
/// so a broadcast never waits for a slow socket and an idle socket holds no task.
/// </summary>
public sealed class Connection(WebSocket socket)
{
    private readonly ConcurrentQueue<ReadOnlyMemory<byte>> _outbox = new();
    private int _sending;

    public string Id { get; } = Guid.NewGuid().ToString("N")[..20];

    public WebSocket Socket => socket;

    public void Send(ReadOnlyMemory<byte> frame)
    {
        _outbox.Enqueue(frame);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = DrainAsync();
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            do
            {
                while (_outbox.TryDequeue(out var frame))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                }

                Volatile.Write(ref _sending, 0);
            }
            while (!_outbox.IsEmpty && Interlocked.CompareExchange(ref _sending, 1, 0) == 0);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            _outbox.Clear();
        }
    }
}
