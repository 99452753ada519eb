using System.Text.Json;
using System.Text.Json.Nodes;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests;

/// <summary>
/// What a Socket.IO server's handlers can say, a hub can say: an event left unacknowledged, a client's acknowledgement
/// with several arguments, a hub per namespace at one path. Each with the real socket.io-client 4.x.
/// </summary>
public sealed class SocketIoServerParityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int AckTimeoutMs = 300;

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task A_hub_method_returning_SocketIoAck_None_leaves_the_event_unacknowledged_and_the_client_ack_timeout_fires(string transport)
    {
        // One pending acknowledgement per session: a withheld one that were never released would refuse the next event.
        await using var server = await BridgeServer.StartAsync(options => options.MaxPendingAcks = 1);
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { transport } });

        for (var i = 0; i < 3; i++)
        {
            var withheld = await driver.EmitWithAckTimeoutAsync("c", "MaybeAnswer", AckTimeoutMs, false);
            Assert.Equal("operation has timed out", withheld["timedOut"]?.GetValue<string>());
        }

        var answered = await driver.EmitWithAckTimeoutAsync("c", "MaybeAnswer", AckTimeoutMs, true);
        Assert.Null(answered["timedOut"]);
        Assert.Equal("answered", answered["reply"]![0]!.GetValue<string>());

        // The fallback can withhold its acknowledgement too.
        var byFallback = await driver.EmitWithAckTimeoutAsync("c", "unanswered", AckTimeoutMs, 1);
        Assert.Equal("operation has timed out", byFallback["timedOut"]?.GetValue<string>());

        Assert.True((await driver.StateAsync("c"))!["connected"]!.GetValue<bool>());
        Assert.Equal("still usable", (await driver.EmitWithAckAsync("c", "Echo", "still usable"))[0]!.GetValue<string>());
        Assert.Empty(server.Services.GetRequiredService<TestHubRecorder>().Disconnected);
    }

    [Fact]
    public async Task A_signalr_client_invoking_a_method_that_withholds_the_ack_gets_null()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var signalR = new HubConnectionBuilder().WithUrl(server.Url + "/hubs/test").Build();
        await signalR.StartAsync();
        Assert.Null(await signalR.InvokeAsync<object?>("MaybeAnswer", false).WaitAsync(Timeout));
        Assert.Equal("answered", await signalR.InvokeAsync<string>("MaybeAnswer", true).WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task Without_a_fallback_an_unknown_event_is_left_unacknowledged_and_the_connection_stays(string transport)
    {
        await using var server = await BridgeServer.StartAsync(options => { options.FallbackMethod = null; options.MaxPendingAcks = 1; });
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { transport } });

        for (var i = 0; i < 2; i++)
        {
            var unknown = await driver.EmitWithAckTimeoutAsync("c", "no_such_method", AckTimeoutMs, 1);
            Assert.Equal("operation has timed out", unknown["timedOut"]?.GetValue<string>());
        }

        // An event that names a method but does not bind still gets its error: the handler exists and failed.
        var badArguments = await driver.EmitWithAckTimeoutAsync("c", "Add", AckTimeoutMs, "not a number", 1);
        Assert.Null(badArguments["timedOut"]);
        Assert.NotNull(badArguments["reply"]![0]!["error"]);
        Assert.Equal("ok", (await driver.EmitWithAckAsync("c", "Echo", "ok"))[0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task InvokeAsync_of_SocketIoArguments_receives_every_argument_of_the_client_ack(string transport)
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { transport } });
        var client = server.Hub.Clients.Client(connect!["id"]!.GetValue<string>());

        // fn(5, {test: true}), as socket.io-client's own test server asks of it.
        await driver.ReplyWithAsync("c", "q", 5, new { test = true });
        var plain = await client.InvokeAsync<SocketIoArguments>("q", "x", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(2, plain.Values.Count);
        Assert.Equal(5, Assert.IsType<JsonElement>(plain.Values[0]).GetInt32());
        Assert.True(Assert.IsType<JsonElement>(plain.Values[1]).GetProperty("test").GetBoolean());

        // With a binary argument among them: the bytes arrive as bytes.
        await driver.ReplyWithAsync("c", "files", 5, new { test = true }, SocketIoDriver.Binary([1, 2, 3]), new { nested = SocketIoDriver.Binary([4]) });
        var binary = await client.InvokeAsync<SocketIoArguments>("files", "x", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(4, binary.Values.Count);
        Assert.Equal(5, Assert.IsAssignableFrom<JsonNode>(binary.Values[0]).GetValue<int>());
        Assert.True(Assert.IsAssignableFrom<JsonNode>(binary.Values[1])["test"]!.GetValue<bool>());
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.IsType<byte[]>(binary.Values[2]));
        Assert.Equal(new byte[] { 4 }, Assert.IsAssignableFrom<JsonNode>(binary.Values[3])["nested"]!.GetValue<byte[]>());

        // InvokeAsync<T> still binds the first argument, the others ignored as before.
        Assert.Equal(5, await client.InvokeAsync<int>("q", "x", CancellationToken.None).WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task One_path_serves_a_hub_per_namespace_on_one_engine_session(string transport)
    {
        await using var server = await BridgeServer.StartAsync(
            services: s => s.AddSignalR().AddHubOptions<AdminHub>(hub => hub.AddFilter<AdminOnlyFilter>()),
            endpoints: e => e.MapSocketIo("/multi/", io => io.MapNamespace<ChatHub>("/chat").MapNamespace<AdminHub>("admin")));
        await using var driver = SocketIoDriver.Start();
        var options = new { path = "/multi/", transports = new[] { transport }, reconnection = false };

        var chat = await driver.ConnectAsync("chat", server.Url + "/chat", options);
        var admin = await driver.ConnectAsync("admin", server.Url + "/admin", options);
        Assert.True(chat!["connected"]!.GetValue<bool>(), chat.ToJsonString());
        Assert.True(admin!["connected"]!.GetValue<bool>(), admin.ToJsonString());
        Assert.Equal(chat["engineId"]!.GetValue<string>(), admin["engineId"]!.GetValue<string>());

        // Each namespace reaches its own hub's method, through that hub's own filters.
        Assert.Equal("chat", (await driver.EmitWithAckAsync("chat", "Where"))[0]!.GetValue<string>());
        Assert.Equal("filtered admin", (await driver.EmitWithAckAsync("admin", "Where"))[0]!.GetValue<string>());

        // Both hubs have a group named "room": each hub's send reaches its own namespace only.
        await server.Services.GetRequiredService<IHubContext<ChatHub>>().Clients.Group("room").SendAsync("news", "for chat");
        await server.Services.GetRequiredService<IHubContext<AdminHub>>().Clients.Group("room").SendAsync("news", "for admin");
        await server.Services.GetRequiredService<IHubContext<ChatHub>>().Clients.Group("room").SendAsync("news", "for chat again");
        Assert.Equal("for chat", (await driver.NextAsync("chat", "news"))[0]!.GetValue<string>());
        Assert.Equal("for chat again", (await driver.NextAsync("chat", "news"))[0]!.GetValue<string>());
        Assert.Equal("for admin", (await driver.NextAsync("admin", "news"))[0]!.GetValue<string>());

        // A namespace no hub serves is refused as a Socket.IO server refuses it; the session's namespaces live on.
        var unmapped = await driver.ConnectAsync("other", server.Url + "/other", options);
        Assert.False(unmapped!["connected"]!.GetValue<bool>());
        Assert.Equal("Invalid namespace", unmapped["error"]!.GetValue<string>());
        Assert.Equal(chat["engineId"]!.GetValue<string>(), unmapped["engineId"]!.GetValue<string>());
        Assert.Equal("chat", (await driver.EmitWithAckAsync("chat", "Where"))[0]!.GetValue<string>());

        // The test hub at the default path is untouched by the other endpoint.
        var main = await driver.ConnectAsync("main", server.Url + "/chat", new { transports = new[] { transport } });
        Assert.True(main!["connected"]!.GetValue<bool>());
        Assert.Equal("/chat", (await driver.NextAsync("main", "welcome"))[0]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_namespace_builder_refuses_a_namespace_mapped_twice_and_an_endpoint_without_namespaces()
    {
        await using var server = await BridgeServer.StartAsync(endpoints: e =>
        {
            Assert.Throws<InvalidOperationException>(() => e.MapSocketIo("/twice/", io => io.MapNamespace<ChatHub>("/chat").MapNamespace<AdminHub>("chat")));
            Assert.Throws<InvalidOperationException>(() => e.MapSocketIo("/fallbacks/", io => io.MapFallbackNamespace<ChatHub>().MapFallbackNamespace<AdminHub>()));
            Assert.Throws<InvalidOperationException>(() => e.MapSocketIo("/empty/", _ => { }));
        });
    }
}
