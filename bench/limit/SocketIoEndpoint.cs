using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// Engine.IO v4 over WebSocket only, and of Socket.IO v5 just the namespace CONNECT (with <c>auth.apikey</c>) and
/// DISCONNECT. An idle socket holds no buffer: its receive loop waits with a zero-byte read and rents a buffer only
/// while a message is there. The server pings every socket from one timer; the pongs are read and dropped.
/// </summary>
public sealed class SocketIoEndpoint(string apiKey, Namespaces namespaces)
{
    private const int PingIntervalMilliseconds = 25_000;
    private const int ReceiveBufferSize = 1024;
    private static readonly byte[] PingFrame = "2"u8.ToArray();

    private readonly ConnectionSet _open = new();

    public async Task PingAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(PingIntervalMilliseconds));
        while (await timer.WaitForNextTickAsync(stopping))
        {
            foreach (var connection in _open.Snapshot())
            {
                connection.Send(PingFrame);
            }
        }
    }

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || context.Request.Query["transport"] != "websocket")
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket);
        var joined = new List<string>(1);
        _open.Add(connection);
        connection.Send(Encoding.UTF8.GetBytes(
            $"0{{\"sid\":\"{NewId()}\",\"upgrades\":[],\"pingInterval\":{PingIntervalMilliseconds},\"pingTimeout\":20000,\"maxPayload\":1000000}}"));
        try
        {
            while (await ReceivePacketAsync(connection, joined))
            {
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            connection.Close();
            foreach (var name in joined)
            {
                namespaces.Leave(name, connection);
            }

            _open.Remove(connection);
        }
    }

    /// <summary>Waits for a message without a buffer, then reads and handles it; false once the socket or the session closed.</summary>
    private async Task<bool> ReceivePacketAsync(Connection connection, List<string> joined)
    {
        var socket = connection.Socket;
        var ready = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        if (ready.MessageType == WebSocketMessageType.Close)
        {
            return false;
        }

        if (ready.EndOfMessage)
        {
            return true;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        try
        {
            var length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += received.Count;
            }
            while (!received.EndOfMessage);

            return received.MessageType != WebSocketMessageType.Close && OnPacket(connection, buffer.AsSpan(0, length), joined);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles one Engine.IO packet; false for the Engine.IO close packet.</summary>
    private bool OnPacket(Connection connection, ReadOnlySpan<byte> packet, List<string> joined)
    {
        if (packet.IsEmpty)
        {
            return true;
        }

        if (packet[0] == (byte)'1')
        {
            return false;
        }

        if (packet.StartsWith("40"u8))
        {
            var name = NamespaceOf(packet[2..], out var payload);
            var prefix = name == "/" ? "" : name + ",";
            if (ApiKeyOf(payload) == apiKey)
            {
                namespaces.Join(name, connection);
                joined.Add(name);
                connection.Send(Encoding.UTF8.GetBytes($"40{prefix}{{\"sid\":\"{NewId()}\"}}"));
            }
            else
            {
                connection.Send(Encoding.UTF8.GetBytes($"44{prefix}{{\"message\":\"Unauthorized\"}}"));
            }
        }
        else if (packet.StartsWith("41"u8))
        {
            var name = NamespaceOf(packet[2..], out _);
            namespaces.Leave(name, connection);
            joined.Remove(name);
        }

        return true;
    }

    /// <summary>Splits <c>/ns,{payload}</c> (or <c>{payload}</c> for the main namespace) after the packet type.</summary>
    private static string NamespaceOf(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> payload)
    {
        if (rest.IsEmpty || rest[0] != (byte)'/')
        {
            payload = rest;
            return "/";
        }

        var comma = rest.IndexOf((byte)',');
        payload = comma < 0 ? [] : rest[(comma + 1)..];
        return Encoding.UTF8.GetString(comma < 0 ? rest : rest[..comma]);
    }

    private static string? ApiKeyOf(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isApiKey = reader.ValueTextEquals("apikey"u8);
                reader.Read();
                if (isApiKey)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..20];
}
