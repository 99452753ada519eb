using System.Text.Json;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests.SocketIo;

/// <summary>Connection-state recovery as socket.io-client 4.6+ expects it, with the real client and raw Engine.IO.</summary>
public sealed class ConnectionStateRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static Task<BridgeServer> StartAsync(Action<IServiceCollection>? services = null, TimeSpan? window = null) =>
        BridgeServer.StartAsync(
            options =>
            {
                options.ConnectionStateRecovery.Enabled = true;
                options.ConnectionStateRecovery.MaxDisconnectionDuration = window ?? TimeSpan.FromMinutes(2);
            },
            s =>
            {
                ObservedSessionStore.Register(s);
                services?.Invoke(s);
            });

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task A_client_whose_transport_dropped_gets_its_socket_back_and_the_hub_sees_its_last_offset(string transport)
    {
        await using var server = await StartAsync();
        var recorder = server.Services.GetRequiredService<TestHubRecorder>();
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room",
            new { transports = new[] { transport }, reconnectionDelay = 500, randomizationFactor = 0 });
        Assert.True(connect!["connected"]!.GetValue<bool>(), connect.ToJsonString());
        Assert.False(connect["recovered"]!.GetValue<bool>());
        var id = connect["id"]!.GetValue<string>();
        Assert.Equal((id, false, (string?)null), await recorder.SocketConnections.Reader.ReadAsync().AsTask().WithTimeout(Timeout, "the hub's first connection"));
        await driver.NextAsync("c", "$connect");

        // Events carry their offset as the last argument; the client keeps the last one it received.
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "one", "offset-1");
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "two", "offset-2");
        Assert.Equal("two", (await driver.NextManyAsync("c", "news", 2))[1]![0]!.GetValue<string>());

        await driver.DropTransportAsync("c");
        await driver.NextAsync("c", "$disconnect");
        await store.NextSaveAsync("its record, saved at its CONNECT");
        var saved = await store.NextSaveAsync("the dropped socket to be saved");
        Assert.Equal((id, "/room"), (saved.SocketId, saved.Namespace));

        var reconnect = await driver.NextAsync("c", "$connect", timeoutMs: 10000);
        Assert.Equal(id, reconnect[0]!.GetValue<string>());
        Assert.True(reconnect[1]!.GetValue<bool>(), "socket.recovered");
        Assert.Equal((id, true, "offset-2"), await recorder.SocketConnections.Reader.ReadAsync().AsTask().WithTimeout(Timeout, "the hub's recovered connection"));

        // The recovered socket is the hub connection of the same id: group sends and client sends reach it.
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "three", "offset-3");
        Assert.Equal("three", (await driver.NextAsync("c", "news"))[0]!.GetValue<string>());
        await server.Hub.Clients.Client(id).SendAsync("direct", "to you", "offset-4");
        Assert.Equal("to you", (await driver.NextAsync("c", "direct"))[0]!.GetValue<string>());
        Assert.Equal(id, (await driver.EmitWithAckAsync("c", "WhoAmI"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task With_the_in_memory_store_a_live_socket_holds_no_record_and_still_recovers_once_dropped()
    {
        await using var server = await BridgeServer.StartAsync(options => options.ConnectionStateRecovery.Enabled = true);
        var store = Assert.IsType<MemorySocketIoSessionStore>(server.Services.GetRequiredService<ISocketIoSessionStore>());
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room",
            new { transports = new[] { "websocket" }, reconnectionDelay = 500, randomizationFactor = 0 });
        var id = connect!["id"]!.GetValue<string>();
        await driver.NextAsync("c", "$connect");

        // The store dies with the node: a record of a live socket in it would save nobody.
        await server.Services.GetRequiredService<ConnectionStateRecovery>().RefreshAsync(CancellationToken.None);
        Assert.Equal(0, store.Count);

        // A client asks to recover only once it holds an offset.
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "one", "offset-1");
        await driver.NextAsync("c", "news");
        await driver.DropTransportAsync("c");
        await driver.NextAsync("c", "$disconnect");
        var reconnect = await driver.NextAsync("c", "$connect", timeoutMs: 10000);
        Assert.Equal(id, reconnect[0]!.GetValue<string>());
        Assert.True(reconnect[1]!.GetValue<bool>(), "socket.recovered");
    }

    [Fact]
    public async Task A_client_reconnecting_after_the_window_connects_as_new()
    {
        var clock = new ShiftedClock();
        await using var server = await StartAsync(s => s.AddSingleton<TimeProvider>(clock), window: TimeSpan.FromSeconds(30));
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" }, reconnection = false });
        var id = connect!["id"]!.GetValue<string>();
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "one", "offset-1");
        await driver.NextAsync("c", "news");

        await driver.DropTransportAsync("c");
        await driver.NextAsync("c", "$disconnect");
        await store.NextSaveAsync("its record, saved at its CONNECT");
        await store.NextSaveAsync("the dropped socket to be saved");
        clock.Shift = TimeSpan.FromSeconds(31);

        var reopen = await driver.ReopenAsync("c");
        Assert.True(reopen!["connected"]!.GetValue<bool>(), reopen.ToJsonString());
        Assert.False(reopen["recovered"]!.GetValue<bool>());
        Assert.NotEqual(id, reopen["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Within_the_window_a_reopened_client_recovers_and_after_leaving_on_purpose_it_does_not()
    {
        await using var server = await StartAsync();
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        var recorder = server.Services.GetRequiredService<TestHubRecorder>();
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" }, reconnection = false });
        var id = connect!["id"]!.GetValue<string>();
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", "one", "offset-1");
        await driver.NextAsync("c", "news");

        await driver.DropTransportAsync("c");
        await store.NextSaveAsync("its record, saved at its CONNECT");
        await store.NextSaveAsync("the dropped socket to be saved");
        var reopen = await driver.ReopenAsync("c");
        Assert.True(reopen!["recovered"]!.GetValue<bool>(), reopen.ToJsonString());
        Assert.Equal(id, reopen["id"]!.GetValue<string>());

        // socket.disconnect() is "client namespace disconnect": nothing to recover, as in socket.io.
        await driver.DisconnectAsync("c");
        await recorder.FirstDisconnect.Task.WithTimeout(Timeout, "the hub to see the first connection end");
        await Eventually.UntilAsync(() => Task.FromResult(recorder.Disconnected.Count == 2), Timeout, "the hub to see the recovered connection end");
        await Eventually.UntilAsync(() => Task.FromResult(store.Count == 0), Timeout, "the record of the socket that left on purpose to be removed");
        var again = await driver.ReopenAsync("c");
        Assert.False(again!["recovered"]!.GetValue<bool>(), again.ToJsonString());
        var newId = again["id"]!.GetValue<string>();
        Assert.NotEqual(id, newId);
        Assert.Equal(id, (await store.NextSaveAsync("the recovered socket's record, saved at its CONNECT")).SocketId);
        Assert.Equal(newId, (await store.NextSaveAsync("the new socket's record, saved at its CONNECT")).SocketId);
        Assert.False(store.Saved.Reader.TryRead(out var unexpected), $"saved {unexpected}");
    }

    [Fact]
    public async Task A_live_socket_has_a_record_from_its_CONNECT_on_refreshed_every_quarter_of_the_window()
    {
        // Should its node die without a word, the client recovers elsewhere from the last of these records.
        await using var server = await StartAsync(window: TimeSpan.FromSeconds(2));
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        using var raw = new RawEngineIo(server.Url);
        var connected = await ConnectAsync(raw, "/room", null);
        var atConnect = await store.NextSaveAsync("its record, saved at its CONNECT");
        Assert.Equal((connected.Pid, connected.Sid, "/room"), (atConnect.Pid, atConnect.SocketId, atConnect.Namespace));

        // Refreshed every 0.5 s: within 1.2 s of its CONNECT a few saves, each of the same socket, later than the one before.
        var refreshes = new List<SocketIoSessionRecord>();
        while (refreshes.Count == 0 || refreshes[^1].LastSeenAt - atConnect.LastSeenAt < TimeSpan.FromSeconds(1.2))
        {
            refreshes.Add(await store.NextSaveAsync($"refresh {refreshes.Count + 1} of the live socket's record"));
        }

        Assert.All(refreshes, refresh => Assert.Equal((connected.Pid, connected.Sid), (refresh.Pid, refresh.SocketId)));
        Assert.True(refreshes.Zip(refreshes.Skip(1)).All(pair => pair.First.LastSeenAt <= pair.Second.LastSeenAt));
        Assert.InRange(refreshes.Count, 2, 6);
    }

    [Fact]
    public async Task A_private_id_recovers_once()
    {
        await using var server = await StartAsync();
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        using var raw = new RawEngineIo(server.Url);
        var first = await ConnectAsync(raw, "/room", null);
        Assert.NotNull(first.Pid);
        await first.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await store.NextSaveAsync("its record, saved at its CONNECT");
        await store.NextSaveAsync("the closed socket to be saved");

        var auth = new { pid = first.Pid, offset = "offset-1", token = "kept" };
        var recovered = await ConnectAsync(raw, "/room", auth);
        Assert.Equal((first.Sid, first.Pid), (recovered.Sid, recovered.Pid));

        // The same pid again, while the recovered socket lives: a new socket.
        var replayed = await ConnectAsync(raw, "/room", auth);
        Assert.NotEqual(first.Sid, replayed.Sid);
        Assert.NotNull(replayed.Pid);
        Assert.NotEqual(first.Pid, replayed.Pid);
    }

    [Theory]
    [InlineData("""{"pid":"forged-pid-000000000","offset":"offset-1"}""")]
    [InlineData("""{"pid":"PID","offset":"offset-1"}""")]
    [InlineData("""{"pid":"PID"}""")]
    [InlineData("""{"pid":"PID","offset":7}""")]
    public async Task A_forged_private_id_one_of_another_namespace_or_no_offset_connects_as_new(string authTemplate)
    {
        await using var server = await StartAsync();
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        using var raw = new RawEngineIo(server.Url);
        var original = await ConnectAsync(raw, "/other", null);
        await original.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await store.NextSaveAsync("its record, saved at its CONNECT");
        await store.NextSaveAsync("the closed socket to be saved");

        var auth = JsonDocument.Parse(authTemplate.Replace("PID", original.Pid, StringComparison.Ordinal)).RootElement;
        var connect = await ConnectAsync(raw, "/room", auth);
        Assert.NotEqual(original.Sid, connect.Sid);
        Assert.NotNull(connect.Pid);
        Assert.NotEqual(original.Pid, connect.Pid);
        Assert.NotEqual("forged-pid-000000000", connect.Pid);
    }

    [Fact]
    public async Task The_connect_handler_sees_the_request_and_may_refuse_recovery()
    {
        var handler = new RecoveryDecidingHandler();
        await using var server = await StartAsync(s => s.AddSingleton<ISocketIoConnectHandler>(handler));
        var store = server.Services.GetRequiredService<ObservedSessionStore>();
        using var raw = new RawEngineIo(server.Url);
        var first = await ConnectAsync(raw, "/room", null);
        await first.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await store.NextSaveAsync("its record, saved at its CONNECT");
        await store.NextSaveAsync("the closed socket to be saved");

        var refused = await ConnectAsync(raw, "/room", new { pid = first.Pid, offset = "too-old" });
        Assert.NotEqual(first.Sid, refused.Sid);
        Assert.NotEqual(first.Pid, refused.Pid);
        var seen = handler.Seen.Last();
        Assert.Equal(("too-old", true, first.Sid), (seen!.Offset, seen.CanRecover, seen.SocketId));
        Assert.Equal("too-old", handler.Auth.Last()!.Value.GetProperty("offset").GetString());
    }

    [Fact]
    public async Task Socket_io_v2_clients_get_no_private_id_and_still_work_while_v4_clients_get_one()
    {
        await using var server = await StartAsync();
        using var raw = new RawEngineIo(server.Url);
        using var v3 = await raw.OpenWebSocketAsync("EIO=3&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(v3));
        Assert.Equal("40", await RawEngineIo.ReceiveTextAsync(v3));
        Assert.NotNull((await ConnectAsync(raw, "/", null)).Pid);

        await using var driver = SocketIoDriver.Start();
        var v2 = await driver.ConnectAsync("old", server.Url + "/room", new { transports = new[] { "websocket" } }, version: 2);
        Assert.True(v2!["connected"]!.GetValue<bool>(), v2.ToJsonString());
        Assert.Equal("still works", (await driver.EmitWithAckAsync("old", "Echo", "still works"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task Recovery_is_off_unless_enabled_and_the_ack_carries_no_private_id()
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var connect = await ConnectAsync(raw, "/room", new { pid = "whatever", offset = "1" });
        Assert.Null(connect.Pid);
    }

    /// <summary>A raw Engine.IO v4 WebSocket session connected to <paramref name="ns"/> with <paramref name="auth"/>: the ack's sid and pid.</summary>
    private static async Task<(System.Net.WebSockets.ClientWebSocket Socket, string Sid, string? Pid)> ConnectAsync(RawEngineIo raw, string ns, object? auth)
    {
        var socket = await raw.OpenWebSocketAsync("EIO=4&transport=websocket");
        Assert.StartsWith("0{", await RawEngineIo.ReceiveTextAsync(socket));
        var prefix = ns == "/" ? "" : ns + ",";
        await RawEngineIo.SendTextAsync(socket, "40" + prefix + (auth is null ? "" : JsonSerializer.Serialize(auth)));
        var ack = await RawEngineIo.NextAsync(socket, m => m.StartsWith("40" + prefix, StringComparison.Ordinal) || m.StartsWith("44" + prefix, StringComparison.Ordinal));
        Assert.NotNull(ack);
        Assert.StartsWith("40" + prefix + "{", ack);
        var body = JsonDocument.Parse(ack[(2 + prefix.Length)..]).RootElement;
        return (socket, body.GetProperty("sid").GetString()!, body.TryGetProperty("pid", out var pid) ? pid.GetString() : null);
    }

    private sealed class RecoveryDecidingHandler : ISocketIoConnectHandler
    {
        public List<SocketIoRecoveryRequest?> Seen { get; } = [];

        public List<JsonElement?> Auth { get; } = [];

        public ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken)
        {
            lock (Seen)
            {
                Seen.Add(context.Recovery);
                Auth.Add(context.Auth);
            }

            return ValueTask.FromResult(context.Recovery?.Offset == "too-old" ? SocketIoConnectResult.AcceptAsNew() : SocketIoConnectResult.Accept());
        }
    }
}
