using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvolutionHub.Testing;

/// <summary>
/// Real <c>socket.io-client</c> instances (4.x, or 2.x with <c>version: 2</c>) in one Node.js process, driven by
/// JSON commands (<c>tests/node/socketio-driver.mjs</c>). Every command has a bounded wait and fails with what it waited for.
/// </summary>
public sealed class SocketIoDriver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly ChildProcess _process;
    private int _nextId;

    private SocketIoDriver() => _process = NodeScript.Start("socketio-driver.mjs", OnLine);

    public static SocketIoDriver Start() => new();

    /// <summary>Connects a client named <paramref name="name"/>; returns <c>{connected, id, recovered, error, data, engineId, transport}</c>.</summary>
    public Task<JsonNode?> ConnectAsync(string name, string url, object? options = null, int version = 4, int timeoutMs = 5000) =>
        SendAsync(new { op = "connect", name, url, version, options = options ?? new { }, timeout = timeoutMs });

    public Task EmitAsync(string name, string eventName, params object?[] args) =>
        SendAsync(new { op = "emit", name, @event = eventName, args });

    /// <summary>Emits with an acknowledgement callback; returns the ack's arguments.</summary>
    public async Task<JsonArray> EmitWithAckAsync(string name, string eventName, params object?[] args) =>
        (JsonArray)(await SendAsync(new { op = "emit", name, @event = eventName, args, ack = true }))!;

    /// <summary>
    /// Emits with socket.io-client's ack timeout (<c>socket.timeout(ms).emit(…)</c>); returns <c>{timedOut, reply}</c>:
    /// the timeout error's message (null when acknowledged) and the ack's arguments.
    /// </summary>
    public async Task<JsonNode> EmitWithAckTimeoutAsync(string name, string eventName, int ackTimeoutMs, params object?[] args) =>
        (await SendAsync(new { op = "emit", name, @event = eventName, args, ack = true, ackTimeout = ackTimeoutMs }))!;

    /// <summary>Answers the server's <paramref name="eventName"/> acknowledgements with several arguments: <c>ack(...values)</c>.</summary>
    public Task ReplyWithAsync(string name, string eventName, params object?[] values) =>
        SendAsync(new { op = "reply", name, @event = eventName, values });

    /// <summary>Answers the server's <paramref name="eventName"/> acknowledgements with <paramref name="value"/> (<c>"$echo"</c> returns the first argument).</summary>
    public Task ReplyAsync(string name, string eventName, object? value) =>
        SendAsync(new { op = "reply", name, @event = eventName, value });

    /// <summary>The arguments of the next <paramref name="eventName"/> the client receives (<c>$connect</c>, <c>$disconnect</c> for its own).</summary>
    public async Task<JsonArray> NextAsync(string name, string eventName, int timeoutMs = 5000) =>
        (JsonArray)(await SendAsync(new { op = "next", name, @event = eventName, timeout = timeoutMs }, timeoutMs))!;

    public async Task<JsonArray> NextManyAsync(string name, string eventName, int count, int timeoutMs = 10000) =>
        (JsonArray)(await SendAsync(new { op = "nextMany", name, @event = eventName, count, timeout = timeoutMs }, timeoutMs))!;

    public Task<JsonNode?> StateAsync(string name) => SendAsync(new { op = "state", name });

    public Task WaitUpgradeAsync(string name) => SendAsync(new { op = "waitUpgrade", name });

    public Task DisconnectAsync(string name) => SendAsync(new { op = "disconnect", name });

    /// <summary>Closes the client's transport (<c>socket.io.engine.close()</c>), as a network failure would; the socket reconnects unless told not to.</summary>
    public Task DropTransportAsync(string name) => SendAsync(new { op = "dropTransport", name });

    /// <summary>Connects a disconnected socket again (<c>socket.connect()</c>); returns <c>{connected, id, recovered, error}</c>.</summary>
    public Task<JsonNode?> ReopenAsync(string name, int timeoutMs = 5000) => SendAsync(new { op = "reopen", name, timeout = timeoutMs }, timeoutMs);

    public static JsonObject Binary(byte[] bytes) => new() { ["$bin"] = Convert.ToBase64String(bytes) };

    public static byte[] FromBinary(JsonNode? node) =>
        node?["$bin"]?.GetValue<string>() is { } base64 ? Convert.FromBase64String(base64) : throw new InvalidOperationException($"not binary: {node?.ToJsonString()}");

    private async Task<JsonNode?> SendAsync(object command, int innerTimeoutMs = 5000)
    {
        var id = Interlocked.Increment(ref _nextId);
        var node = JsonSerializer.SerializeToNode(command)!.AsObject();
        node["id"] = id;
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _process.WriteLineAsync(node.ToJsonString());
        var what = $"the Node.js client to answer {node["op"]} ({node.ToJsonString()})";
        try
        {
            return await answer.Task.WithTimeout(TimeSpan.FromMilliseconds(innerTimeoutMs + 5000), what);
        }
        catch (TimeoutException) when (_process.HasExited)
        {
            throw new InvalidOperationException($"node exited with {_process.ExitCode}.\n{_process.Output}");
        }
    }

    private void OnLine(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || !line.StartsWith('{'))
        {
            return;
        }

        var message = JsonNode.Parse(line)!;
        if (!_pending.TryRemove(message["id"]!.GetValue<int>(), out var answer))
        {
            return;
        }

        if (message["ok"]!.GetValue<bool>())
        {
            answer.TrySetResult(message["result"]?.DeepClone());
        }
        else
        {
            answer.TrySetException(new SocketIoDriverException(message["error"]!.GetValue<string>()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The script ends with its input; it is killed if it has not within the grace.
            _process.CloseInput();
            try
            {
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }

        await _process.DisposeAsync();
    }
}

/// <summary>The Node.js client reported a failure (a timeout, a connect error it did not expect).</summary>
public sealed class SocketIoDriverException(string message) : Exception(message);
