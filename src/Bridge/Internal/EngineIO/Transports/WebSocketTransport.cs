using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.EngineIO.ParserV3;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO.Transports;

/// <summary>
/// The WebSocket transport: one receive loop decoding frames into the session, one send loop writing the session's
/// queue. Also the polling → WebSocket upgrade (probe, then the upgrade packet).
/// </summary>
internal sealed partial class WebSocketTransport(SocketIoOptions options, TimeProvider time, ILogger<WebSocketTransport> logger)
{
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] ProbeData = "probe"u8.ToArray();

    /// <summary>A session whose first transport is the WebSocket.</summary>
    public async Task OpenAsync(HttpContext context, EngineIoSocket session)
    {
        WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync();
        }
        catch
        {
            // The session was never opened; closing it gives its place back.
            session.OnTransportClosed("transport error");
            throw;
        }

        session.Open(EngineTransportKind.WebSocket);
        await RunAsync(socket, session);
    }

    /// <summary>A polling session moving onto a WebSocket.</summary>
    public async Task UpgradeAsync(HttpContext context, EngineIoSocket session)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (!session.TryBeginUpgrade())
        {
            // Only one upgrade per session: a second socket is accepted and closed at once, as clients expect.
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation);
            return;
        }

        bool probed;
        try
        {
            using var deadline = new CancellationTokenSource(UpgradeTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, session.Closed);
            probed = await ProbeAsync(socket, session, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or EngineProtocolException)
        {
            Log.UpgradeFailed(logger, session.Id, ex.Message);
            probed = false;
        }
        catch (PayloadTooLargeException)
        {
            // As on any transport, a message over maxPayload ends the session.
            Log.FrameTooLarge(logger, session.Id, options.MaxPayload);
            session.AbortUpgrade();
            session.OnTransportClosed("transport error");
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig);
            return;
        }

        if (!probed)
        {
            session.AbortUpgrade();
            await CloseQuietlyAsync(socket);
            return;
        }

        session.CompleteUpgrade();
        await RunAsync(socket, session);
    }

    private async Task<bool> ProbeAsync(WebSocket socket, EngineIoSocket session, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReceiveFrameAsync(socket, cancellationToken);
            if (frame is null)
            {
                return false;
            }

            var packet = Decode(session, frame.Value);
            switch (packet.Type)
            {
                case EnginePacketType.Ping when packet.Data.Span.SequenceEqual(ProbeData):
                    await SendAsync(socket, session, EnginePacket.Text(EnginePacketType.Pong, ProbeData), cancellationToken);
                    session.OnUpgradeProbed();
                    break;
                case EnginePacketType.Upgrade:
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Runs the socket until the session ends, then disposes of it. The receive loop is never cancelled (that would abort
    /// the socket): when the server ends the session, the send loop flushes the queue, closes the socket's output and gives
    /// the client a moment to answer the close before aborting. While the socket is idle this method, the two loops and the
    /// socket's own pending zero-byte read are all it holds: no timer, no buffer.
    /// </summary>
    private async Task RunAsync(WebSocket socket, EngineIoSocket session)
    {
        using (socket)
        {
            var closeStatus = new StrongBox<WebSocketCloseStatus>(WebSocketCloseStatus.NormalClosure);
            var receiving = ReceiveLoopAsync(socket, session, closeStatus);
            var sending = SendLoopAsync(socket, session, closeStatus);

            // A client that stops reading would hold a send forever: once the session is over, it has a moment to drain.
            using (session.Closed.UnsafeRegister(static state => _ = AbortUnlessDoneAsync((RunningSocket)state!), new RunningSocket(socket, sending, time)))
            {
                await sending;
            }

            await AbortUnlessDoneAsync(new RunningSocket(socket, receiving, time));
            await receiving;
        }
    }

    private static async Task AbortUnlessDoneAsync(RunningSocket running)
    {
        if (await Task.WhenAny(running.Loop, Task.Delay(CloseHandshakeTimeout, running.Time)) != running.Loop)
        {
            running.Socket.Abort();
        }
    }

    private async Task ReceiveLoopAsync(WebSocket socket, EngineIoSocket session, StrongBox<WebSocketCloseStatus> closeStatus)
    {
        try
        {
            while (!session.IsClosed)
            {
                // Awaited here rather than inside ReadFrameAsync, so that an idle socket holds no state machine of that method.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                var frame = await ReadFrameAsync(socket, first, CancellationToken.None);
                if (frame is null)
                {
                    session.OnTransportClosed("transport close");
                    return;
                }

                EngineMessage packet;
                try
                {
                    packet = Decode(session, frame.Value);
                }
                catch (EngineProtocolException ex)
                {
                    closeStatus.Value = WebSocketCloseStatus.ProtocolError;
                    session.OnProtocolError(ex.Message);
                    return;
                }

                await session.ReceiveAsync([packet]);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            session.OnTransportClosed("transport error");
        }
        catch (PayloadTooLargeException)
        {
            Log.FrameTooLarge(logger, session.Id, options.MaxPayload);
            closeStatus.Value = WebSocketCloseStatus.MessageTooBig;
            session.OnTransportClosed("transport error");
        }
    }

    private async Task SendLoopAsync(WebSocket socket, EngineIoSocket session, StrongBox<WebSocketCloseStatus> closeStatus)
    {
        try
        {
            // When the session closes the queue completes; what was queued before (a close packet among it) still goes out.
            while (await session.Outgoing.WaitToReadAsync())
            {
                while (session.TryDequeue(out var packet))
                {
                    await SendAsync(socket, session, packet, CancellationToken.None);
                    session.Sent(packet);
                }
            }

            while (session.TryDequeue(out var packet))
            {
                await SendAsync(socket, session, packet, CancellationToken.None);
                session.Sent(packet);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            session.OnTransportClosed("transport error");
        }

        await CloseQuietlyAsync(socket, closeStatus.Value);
    }

    private static ValueTask SendAsync(WebSocket socket, EngineIoSocket session, EnginePacket packet, CancellationToken cancellationToken)
    {
        if (!packet.IsBinary)
        {
            return socket.SendAsync(packet.Frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        var frame = session.Protocol == 3 ? PayloadCodecV3.EncodeBinaryFrame(packet.Frame.Span) : packet.Frame;
        return socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    private static EngineMessage Decode(EngineIoSocket session, (byte[] Data, bool IsBinary) frame) =>
        session.Protocol == 3 ? PayloadCodecV3.DecodePacket(frame.Data, frame.IsBinary) : PayloadCodec.DecodePacket(frame.Data, frame.IsBinary);

    /// <summary>Reads one whole message; null when the peer closed. Idle sockets wait with a zero-byte read and hold no buffer.</summary>
    private async ValueTask<(byte[] Data, bool IsBinary)?> ReceiveFrameAsync(WebSocket socket, CancellationToken cancellationToken) =>
        await ReadFrameAsync(socket, await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken), cancellationToken);

    /// <summary>Reads the message whose zero-byte read returned <paramref name="first"/>; null when the peer closed.</summary>
    private async ValueTask<(byte[] Data, bool IsBinary)?> ReadFrameAsync(WebSocket socket, ValueWebSocketReceiveResult first, CancellationToken cancellationToken)
    {
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        try
        {
            var result = first;
            while (!result.EndOfMessage)
            {
                if (length == buffer.Length)
                {
                    if (length >= options.MaxPayload)
                    {
                        throw new PayloadTooLargeException();
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxPayload + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                length += result.Count;
                if (length > options.MaxPayload)
                {
                    throw new PayloadTooLargeException();
                }
            }

            return (buffer.AsSpan(0, length).ToArray(), first.MessageType == WebSocketMessageType.Binary);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, time);
            await socket.CloseOutputAsync(status, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed record RunningSocket(WebSocket Socket, Task Loop, TimeProvider Time);

    private sealed class PayloadTooLargeException : Exception;
}
