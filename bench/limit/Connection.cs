using System.Net.WebSockets;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// The sending side of one Engine.IO WebSocket, with no queue of its own: a frame is handed straight to
/// <see cref="WebSocket.SendAsync(ReadOnlyMemory{byte}, WebSocketMessageType, bool, CancellationToken)"/>, which
/// completes at once while Kestrel's output pipe has room. Only when a send is still pending is the next one chained
/// after it, so frames keep their order and a broadcast never waits for a slow socket.
/// </summary>
public sealed class Connection(WebSocket socket)
{
    private readonly Lock _gate = new();
    private Task _pending = Task.CompletedTask;
    private bool _closed;

    public WebSocket Socket => socket;

    public void Send(ReadOnlyMemory<byte> frame) => Send(new ReadOnlyMemory<ReadOnlyMemory<byte>>([frame]));

    /// <summary>Sends <paramref name="frames"/> in order, after whatever this socket is still sending.</summary>
    public void Send(ReadOnlyMemory<ReadOnlyMemory<byte>> frames)
    {
        lock (_gate)
        {
            for (var index = 0; index < frames.Length && !_closed; index++)
            {
                if (!_pending.IsCompleted)
                {
                    _pending = SendAfterAsync(_pending, frames[index..]);
                    return;
                }

                try
                {
                    var send = socket.SendAsync(frames.Span[index], WebSocketMessageType.Text, true, CancellationToken.None);
                    if (send.IsCompletedSuccessfully)
                    {
                        send.GetAwaiter().GetResult();
                    }
                    else
                    {
                        _pending = ObserveAsync(send);
                    }
                }
                catch (Exception exception) when (IsClosing(exception))
                {
                    _closed = true;
                }
            }
        }
    }

    /// <summary>No more sends: the receive loop ended and the socket is about to be disposed.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private async Task SendAfterAsync(Task previous, ReadOnlyMemory<ReadOnlyMemory<byte>> frames)
    {
        await previous;
        try
        {
            for (var index = 0; index < frames.Length && !Volatile.Read(ref _closed); index++)
            {
                await socket.SendAsync(frames.Span[index], WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (Exception exception) when (IsClosing(exception))
        {
            Volatile.Write(ref _closed, true);
        }
    }

    private async Task ObserveAsync(ValueTask send)
    {
        try
        {
            await send;
        }
        catch (Exception exception) when (IsClosing(exception))
        {
            Volatile.Write(ref _closed, true);
        }
    }

    private static bool IsClosing(Exception exception) =>
        exception is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException;
}
