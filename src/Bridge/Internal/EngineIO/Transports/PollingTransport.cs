using System.Buffers;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;
using EvolutionHub.Bridge.Internal.EngineIO.ParserV3;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Internal.EngineIO.Transports;

/// <summary>HTTP long-polling: a GET waits for queued packets, a POST carries packets from the client.</summary>
internal sealed partial class PollingTransport(SocketIoOptions options, ILogger<PollingTransport> logger)
{
    private const string TextContentType = "text/plain; charset=UTF-8";
    private const string BinaryContentType = "application/octet-stream";
    private const int MaxPacketsPerResponse = 1024;

    public async Task PollAsync(HttpContext context, EngineIoSocket session)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(session.Closed, context.RequestAborted);
        var start = session.BeginPoll(poll);
        if (start != EngineIoSocket.PollStart.Waiting)
        {
            if (start == EngineIoSocket.PollStart.Overlapping)
            {
                Log.OverlappingPoll(logger, session.Id);
                session.OnProtocolError("overlapping poll", sendClosePacket: true);
            }

            await EngineIoServer.RejectAsync(context, EngineIoError.BadRequest, "Bad request");
            return;
        }

        try
        {
            await session.Outgoing.WaitToReadAsync(poll.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            session.EndPoll(poll);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            session.OnTransportClosed("transport close");
            return;
        }

        var packets = new List<EnginePacket>();

        while (packets.Count < MaxPacketsPerResponse && session.TryDequeueForPoll(out var packet))
        {
            packets.Add(packet);
        }

        if (packets.Count == 0)
        {
            await WritePayloadAsync(context, session, [EnginePacket.Noop]);
            return;
        }

        try
        {
            await WritePayloadAsync(context, session, packets);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The packets are lost with the request: the session cannot go on as if they had arrived.
            session.OnTransportClosed("transport close");
            return;
        }

        foreach (var packet in packets)
        {
            session.Sent(packet);
        }
    }

    /// <summary>Answers a poll with a noop packet.</summary>
    public Task WriteNoopAsync(HttpContext context, EngineIoSocket session) => WritePayloadAsync(context, session, [EnginePacket.Noop]);

    private static async Task WritePayloadAsync(HttpContext context, EngineIoSocket session, List<EnginePacket> packets)
    {
        var response = context.Response;
        var body = new ArrayBufferWriter<byte>();
        if (session.Protocol == 4)
        {
            response.ContentType = TextContentType;
            PayloadCodec.EncodePayload(packets, body);
        }
        else if (PayloadCodecV3.NeedsBinaryPayload(packets, clientSupportsBinary: !session.Handshake.Query.ContainsKey("b64")))
        {
            response.ContentType = BinaryContentType;
            PayloadCodecV3.EncodeBinaryPayload(packets, body);
        }
        else
        {
            response.ContentType = TextContentType;
            PayloadCodecV3.EncodeTextPayload(packets, body);
        }

        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
    }

    public async Task ReceiveAsync(HttpContext context, EngineIoSocket session)
    {
        var request = context.Request;
        if (request.ContentLength > options.MaxPayload)
        {
            await RejectTooLargeAsync(context, session);
            return;
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = options.MaxPayload + 1L;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request, options.MaxPayload, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await RejectTooLargeAsync(context, session);
            return;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            session.OnTransportClosed("transport error");
            return;
        }

        var packets = session.Protocol == 4
            ? PayloadCodec.DecodePayload(body)
            : PayloadCodecV3.DecodePayload(body, isBinaryPayload: request.ContentType?.StartsWith(BinaryContentType, StringComparison.OrdinalIgnoreCase) == true);
        if (!await session.ReceiveAsync(packets))
        {
            await EngineIoServer.RejectAsync(context, EngineIoError.BadRequest, "Bad request");
            return;
        }

        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync("ok");
    }

    private async Task RejectTooLargeAsync(HttpContext context, EngineIoSocket session)
    {
        Log.PayloadTooLarge(logger, session.Id, options.MaxPayload);
        session.OnTransportClosed("transport error");
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await context.Response.WriteAsync("Payload Too Large");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new InvalidDataException("payload too large");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
