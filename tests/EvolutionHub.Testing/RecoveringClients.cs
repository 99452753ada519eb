using System.Text.Json.Nodes;

namespace EvolutionHub.Testing;

/// <summary>
/// Socket.IO v4 clients (one <see cref="SocketIoDriver"/>) that receive numbered events (<c>data.n</c>) and reconnect by
/// themselves after a transport failure, with the checks of connection-state recovery: each came back with its socket id
/// and <c>socket.recovered</c>, and received every event once, in order.
/// </summary>
public sealed class RecoveringClients(SocketIoDriver driver)
{
    public const string Event = "messages.upsert";

    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _read = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _ids.Keys;

    /// <summary>Connects <paramref name="name"/> to <paramref name="url"/> over WebSocket with <paramref name="key"/>, reconnecting fast.</summary>
    public async Task ConnectAsync(string name, string url, string key, int timeoutMs = 20000)
    {
        var options = new
        {
            transports = new[] { "websocket" },
            auth = new { apikey = key },
            reconnectionDelay = 200,
            reconnectionDelayMax = 1000,
        };
        var connected = await driver.ConnectAsync(name, url, options, timeoutMs: timeoutMs);
        if (connected?["connected"]?.GetValue<bool>() != true)
        {
            throw new InvalidOperationException($"{name} did not connect to {url}: {connected?.ToJsonString()}");
        }

        await driver.NextAsync(name, "$connect");
        _ids[name] = connected["id"]!.GetValue<string>();
        _read[name] = 0;
    }

    /// <summary>Reads the next events of every client: they must be exactly <paramref name="numbers"/>, in order.</summary>
    public async Task ExpectAsync(IReadOnlyList<int> numbers, int timeoutMs = 15000)
    {
        foreach (var name in _ids.Keys)
        {
            await ExpectAsync(name, numbers, timeoutMs);
        }
    }

    public async Task ExpectAsync(string name, IReadOnlyList<int> numbers, int timeoutMs = 15000)
    {
        JsonArray received;
        try
        {
            received = await driver.NextManyAsync(name, Event, numbers.Count, timeoutMs);
        }
        catch (SocketIoDriverException exception)
        {
            throw new InvalidOperationException($"{name} (from event {_read[name] + 1}): {exception.Message}", exception);
        }

        var seen = received.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()).ToArray();
        _read[name] += seen.Length;
        if (!seen.SequenceEqual(numbers))
        {
            throw new InvalidOperationException($"{name} received [{Describe(seen)}], expected [{Describe(numbers)}]");
        }
    }

    /// <summary>Each client's next connection: it must be its old socket, recovered.</summary>
    public async Task ExpectRecoveredAsync(int timeoutMs = 30000)
    {
        foreach (var (name, id) in _ids)
        {
            var connect = await driver.NextAsync(name, "$connect", timeoutMs);
            var (newId, recovered) = (connect[0]!.GetValue<string>(), connect[1]!.GetValue<bool>());
            if (!recovered || newId != id)
            {
                throw new InvalidOperationException($"{name} reconnected as a new socket (recovered {recovered}, id {newId}, was {id})");
            }
        }
    }

    public Task DropTransportAsync(string name) => driver.DropTransportAsync(name);

    private static string Describe(IReadOnlyList<int> numbers)
    {
        return numbers.Count <= 12 ? string.Join(", ", numbers) : $"{numbers[0]}…{numbers[^1]} ({numbers.Count} events, {numbers.Distinct().Count()} distinct)";
    }
}
