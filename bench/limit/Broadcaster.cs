using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using StackExchange.Redis;

namespace EvolutionHub.Bench.Limit;

/// <summary>
/// The ceiling: just enough Engine.IO v4 / Socket.IO v5 to be a target of the load generator, and a broadcast that
/// serialises each event's frame once and hands the same bytes to every socket of its namespace. With Redis, frames
/// accepted here also go to the other nodes over one pub/sub channel. Like the hub, a publish is answered once its
/// events are queued; one loop broadcasts them in the order accepted.
/// </summary>
public sealed class Broadcaster
{
    private const int PingIntervalMilliseconds = 25_000;
    private static readonly byte[] PingFrame = "2"u8.ToArray();
    private static readonly RedisChannel FarmChannel = RedisChannel.Literal("limit:frames");

    private readonly string _apiKey;
    private readonly Namespaces _namespaces = new();
    private readonly ConcurrentDictionary<Connection, bool> _open = new();
    private readonly Channel<(string Instance, byte[] Frame)> _accepted = Channel.CreateUnbounded<(string, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ISubscriber? _farm;
    private readonly string _nodeId = Guid.NewGuid().ToString("N");

    public Broadcaster(string apiKey, IConnectionMultiplexer? redis)
    {
        _apiKey = apiKey;
        if (redis is not null)
        {
            _farm = redis.GetSubscriber();
            _farm.Subscribe(FarmChannel).OnMessage(message => BroadcastFromFarm(message.Message));
        }
    }

    public async Task BroadcastAcceptedAsync(CancellationToken stopping)
    {
        await foreach (var (instance, frame) in _accepted.Reader.ReadAllAsync(stopping))
        {
            _namespaces.Broadcast("/" + instance, frame);
            _farm?.Publish(FarmChannel, FarmMessage(instance, frame), CommandFlags.FireAndForget);
        }
    }

    public async Task PingAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(PingIntervalMilliseconds));
        while (await timer.WaitForNextTickAsync(stopping))
        {
            foreach (var connection in _open.Keys)
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
        _open[connection] = true;
        var joined = new List<string>();
        connection.Send(Encoding.UTF8.GetBytes(
            $"0{{\"sid\":\"{connection.Id}\",\"upgrades\":[],\"pingInterval\":{PingIntervalMilliseconds},\"pingTimeout\":20000,\"maxPayload\":1000000}}"));
        try
        {
            var buffer = new byte[1024];
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    received = await socket.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                    length += received.Count;
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close || buffer[0] == (byte)'1')
                {
                    break;
                }

                OnPacket(connection, Encoding.UTF8.GetString(buffer, 0, length), joined);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            foreach (var name in joined)
            {
                _namespaces.Leave(name, connection);
            }

            _open.TryRemove(connection, out _);
        }
    }

    public async Task PublishAsync(HttpContext context)
    {
        if (context.Request.Headers["apikey"] != _apiKey)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var envelopes = body.RootElement.ValueKind == JsonValueKind.Array ? [.. body.RootElement.EnumerateArray()] : new[] { body.RootElement };
        if (!envelopes.All(IsEnvelope))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        foreach (var envelope in envelopes)
        {
            var instance = envelope.GetProperty("instance").GetString()!;
            _accepted.Writer.TryWrite((instance, EventFrame(instance, envelope)));
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await context.Response.WriteAsJsonAsync(new { accepted = envelopes.Length });
    }

    private void OnPacket(Connection connection, string packet, List<string> joined)
    {
        if (packet.StartsWith("40", StringComparison.Ordinal))
        {
            var (name, payload) = NamespaceAndPayload(packet);
            var prefix = name == "/" ? "" : name + ",";
            if (ApiKeyOf(payload) == _apiKey)
            {
                _namespaces.Join(name, connection);
                joined.Add(name);
                connection.Send(Encoding.UTF8.GetBytes($"40{prefix}{{\"sid\":\"{connection.Id}\"}}"));
            }
            else
            {
                connection.Send(Encoding.UTF8.GetBytes($"44{prefix}{{\"message\":\"Unauthorized\"}}"));
            }
        }
        else if (packet.StartsWith("41", StringComparison.Ordinal))
        {
            var (name, _) = NamespaceAndPayload(packet);
            _namespaces.Leave(name, connection);
            joined.Remove(name);
        }
    }

    /// <summary>Splits <c>40/ns,{payload}</c> (or <c>40{payload}</c> for the main namespace).</summary>
    private static (string Name, string Payload) NamespaceAndPayload(string packet)
    {
        var rest = packet[2..];
        if (!rest.StartsWith('/'))
        {
            return ("/", rest);
        }

        var comma = rest.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? (rest, "") : (rest[..comma], rest[(comma + 1)..]);
    }

    private static string? ApiKeyOf(string payload)
    {
        if (payload.Length == 0)
        {
            return null;
        }

        using var auth = JsonDocument.Parse(payload);
        return auth.RootElement.ValueKind == JsonValueKind.Object && auth.RootElement.TryGetProperty("apikey", out var key) ? key.GetString() : null;
    }

    private static bool IsEnvelope(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String
        && element.TryGetProperty("instance", out var instance) && instance.ValueKind == JsonValueKind.String;

    /// <summary><c>42/{instance},["{event}",{envelope}]</c> with the contract's envelope fields, serialised once.</summary>
    private static byte[] EventFrame(string instance, JsonElement envelope)
    {
        var eventName = envelope.GetProperty("event").GetString()!.ToLowerInvariant();
        var buffer = new ArrayBufferWriter<byte>(1024);
        buffer.Write(Encoding.UTF8.GetBytes($"42/{instance},"));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(eventName);
            writer.WriteStartObject();
            writer.WriteString("event", eventName);
            writer.WriteString("instance", instance);
            writer.WritePropertyName("data");
            if (envelope.TryGetProperty("data", out var data))
            {
                data.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            WriteOptional(writer, envelope, "server_url");
            if (envelope.TryGetProperty("date_time", out var dateTime) && dateTime.ValueKind == JsonValueKind.String)
            {
                dateTime.WriteTo(writer);
            }
            else
            {
                writer.WriteString("date_time", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            }

            WriteOptional(writer, envelope, "sender");
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, JsonElement envelope, string name)
    {
        writer.WritePropertyName(name);
        if (envelope.TryGetProperty(name, out var value))
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private byte[] FarmMessage(string instance, byte[] frame) => Encoding.UTF8.GetBytes($"{_nodeId}\n{instance}\n").Concat(frame).ToArray();

    private void BroadcastFromFarm(RedisValue message)
    {
        var bytes = (ReadOnlyMemory<byte>)message;
        var firstBreak = bytes.Span.IndexOf((byte)'\n');
        if (Encoding.UTF8.GetString(bytes.Span[..firstBreak]) == _nodeId)
        {
            return;
        }

        var rest = bytes[(firstBreak + 1)..];
        var secondBreak = rest.Span.IndexOf((byte)'\n');
        _namespaces.Broadcast("/" + Encoding.UTF8.GetString(rest.Span[..secondBreak]), rest[(secondBreak + 1)..]);
    }
}
