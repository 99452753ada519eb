using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests;

/// <summary>The real <c>socket.io-client</c> (4.8 and 2.x) against the bridge on a real Kestrel server.</summary>
public sealed class SocketIoClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<int, string> Transports => new()
    {
        { 4, "websocket" },
        { 4, "polling" },
        { 4, "polling,websocket" },
        { 2, "websocket" },
        { 2, "polling" },
        { 2, "polling,websocket" },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Events_acks_and_binary_flow_both_ways(int version, string transports)
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var transportList = transports.Split(',');

        var connect = await driver.ConnectAsync("c", server.Url + "/room?tag=t1", new { transports = transportList }, version);
        Assert.True(connect!["connected"]!.GetValue<bool>(), connect.ToJsonString());
        var welcome = (await driver.NextAsync("c", "welcome"))[0]!;
        Assert.Equal("/room", welcome["namespace"]!.GetValue<string>());
        Assert.Equal("t1", welcome["query"]!.GetValue<string>());
        if (transportList.Length > 1)
        {
            await driver.WaitUpgradeAsync("c");
        }

        var state = await driver.StateAsync("c");
        Assert.Equal(transportList[^1], state!["transport"]!.GetValue<string>());

        // Server → client through the hub's group, as any SignalR send.
        await server.Hub.Clients.Group("ns:/room").SendAsync("news", new { headline = "hello", n = 1 });
        var news = (await driver.NextAsync("c", "news"))[0]!;
        Assert.Equal("hello", news["headline"]!.GetValue<string>());

        // Client → hub method, acknowledged with its result.
        Assert.Equal("ping", (await driver.EmitWithAckAsync("c", "Echo", "ping"))[0]!.GetValue<string>());
        Assert.Equal(5, (await driver.EmitWithAckAsync("c", "Add", 2, 3))[0]!.GetValue<int>());

        // Binary client → hub → binary ack.
        var reversed = await driver.EmitWithAckAsync("c", "Reverse", SocketIoDriver.Binary([1, 2, 3, 250]));
        Assert.Equal(new byte[] { 250, 3, 2, 1 }, SocketIoDriver.FromBinary(reversed[0]));

        // Binary hub → client, nested in an object too.
        await server.Hub.Clients.Group("ns:/room").SendAsync("blob", new byte[] { 9, 8, 7 }, new { file = new byte[] { 1 }, name = "f" });
        var blob = await driver.NextAsync("c", "blob");
        Assert.Equal(new byte[] { 9, 8, 7 }, SocketIoDriver.FromBinary(blob[0]));
        Assert.Equal(new byte[] { 1 }, SocketIoDriver.FromBinary(blob[1]!["file"]));
        Assert.Equal("f", blob[1]!["name"]!.GetValue<string>());

        // Hub → client invocation whose result comes back in the client's ack.
        await driver.ReplyAsync("c", "question", "$echo");
        var socketId = connect["id"]!.GetValue<string>();
        var answer = await server.Hub.Clients.Client(socketId).InvokeAsync<string>("question", "what is up", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("what is up", answer);
    }

    [Fact]
    public async Task Two_namespaces_share_one_engine_session_and_receive_only_their_own_events()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var a = await driver.ConnectAsync("a", server.Url + "/alpha", new { transports = new[] { "websocket" } });
        var b = await driver.ConnectAsync("b", server.Url + "/beta", new { transports = new[] { "websocket" } });
        Assert.True(a!["connected"]!.GetValue<bool>() && b!["connected"]!.GetValue<bool>());
        Assert.Equal(a["engineId"]!.GetValue<string>(), b!["engineId"]!.GetValue<string>());

        await server.Hub.Clients.Group("ns:/alpha").SendAsync("only", "for alpha");
        await server.Hub.Clients.Group("ns:/beta").SendAsync("only", "for beta");
        Assert.Equal("for alpha", (await driver.NextAsync("a", "only"))[0]!.GetValue<string>());
        Assert.Equal("for beta", (await driver.NextAsync("b", "only"))[0]!.GetValue<string>());

        // Leaving one namespace keeps the other (and the session) alive.
        await driver.DisconnectAsync("a");
        await server.Services.GetRequiredService<TestHubRecorder>().FirstDisconnect.Task.WithTimeout(Timeout, "the hub to see alpha leave");
        Assert.Equal("still here", (await driver.EmitWithAckAsync("b", "Echo", "still here"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_reconnects_after_the_server_drops_its_transport()
    {
        var first = await BridgeServer.StartAsync();
        var port = new Uri(first.Url).Port;
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", first.Url + "/room", new { transports = new[] { "websocket" }, reconnectionDelay = 100, reconnectionDelayMax = 200 });
        Assert.True(connect!["connected"]!.GetValue<bool>());
        await driver.NextAsync("c", "$connect");

        await first.DisposeAsync();
        var reason = (await driver.NextAsync("c", "$disconnect"))[0]!.GetValue<string>();
        Assert.Equal("transport close", reason);

        await using var second = await BridgeServer.StartAsync(port: port);
        await driver.NextAsync("c", "$connect", timeoutMs: 10000);
        await second.Hub.Clients.Group("ns:/room").SendAsync("news", "after restart");
        Assert.Equal("after restart", (await driver.NextAsync("c", "news"))[0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public async Task A_refused_namespace_gets_connect_error_with_the_message(int version)
    {
        await using var server = await BridgeServer.StartAsync(services: s => s.AddSingleton<ISocketIoConnectHandler, RefusePrivateNamespace>());
        await using var driver = SocketIoDriver.Start();

        var refused = await driver.ConnectAsync("p", server.Url + "/private", new { transports = new[] { "websocket" }, reconnection = false }, version);
        Assert.False(refused!["connected"]!.GetValue<bool>());
        Assert.Equal("Unauthorized", refused["error"]!.GetValue<string>());

        var byHub = await driver.ConnectAsync("h", server.Url + "/refused-by-hub", new { transports = new[] { "websocket" }, reconnection = false, forceNew = true }, version);
        Assert.False(byHub!["connected"]!.GetValue<bool>());
        Assert.Equal("Refused by the hub", byHub["error"]!.GetValue<string>());

        var open = await driver.ConnectAsync("o", server.Url + "/open", new { transports = new[] { "websocket" }, forceNew = true }, version);
        Assert.True(open!["connected"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_user_and_items_a_connect_handler_sets_reach_the_hub()
    {
        await using var server = await BridgeServer.StartAsync(services: s => s.AddSingleton<ISocketIoConnectHandler, RefusePrivateNamespace>());
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("n", server.Url + "/named", new { transports = new[] { "polling" }, auth = new { name = "ada" } });
        Assert.Equal("ada", (await driver.EmitWithAckAsync("n", "UserName"))[0]!.GetValue<string>());
        Assert.Equal("/named", (await driver.EmitWithAckAsync("n", "Item", "namespace"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_connect_handler_refuses_that_namespace_and_spares_the_others_on_the_session()
    {
        await using var server = await BridgeServer.StartAsync(services: s => s.AddSingleton<ISocketIoConnectHandler, RefusePrivateNamespace>());
        await using var driver = SocketIoDriver.Start();
        var open = await driver.ConnectAsync("o", server.Url + "/open", new { transports = new[] { "websocket" } });
        Assert.True(open!["connected"]!.GetValue<bool>());

        var broken = await driver.ConnectAsync("b", server.Url + "/broken", new { transports = new[] { "websocket" }, reconnection = false });
        Assert.False(broken!["connected"]!.GetValue<bool>());
        Assert.Equal("Server error", broken["error"]!.GetValue<string>());
        Assert.Equal(open["engineId"]!.GetValue<string>(), broken["engineId"]!.GetValue<string>());
        Assert.Equal("fine", (await driver.EmitWithAckAsync("o", "Echo", "fine"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task An_application_that_lists_its_hub_protocols_still_serves_socket_io()
    {
        await using var server = await BridgeServer.StartAsync(hub: hub => hub.SupportedProtocols = ["json"]);
        await using var driver = SocketIoDriver.Start();
        var connect = await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" } });
        Assert.True(connect!["connected"]!.GetValue<bool>(), connect.ToJsonString());
    }

    [Fact]
    public async Task The_hub_aborting_a_connection_disconnects_that_namespace()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" } });
        await driver.EmitAsync("c", "Leave");
        Assert.Equal("io server disconnect", (await driver.NextAsync("c", "$disconnect"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_without_a_hub_method_reach_the_fallback_and_errors_are_acknowledged()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "polling" } });

        var ack = await driver.EmitWithAckAsync("c", "send_message", new { text = "hi" }, 42);
        Assert.Equal("send_message", ack[0]!["received"]!.GetValue<string>());
        Assert.Equal(2, ack[0]!["count"]!.GetValue<int>());

        var all = await driver.EmitWithAckAsync("c", "echo-all", 1, "two", new { three = 3 }, SocketIoDriver.Binary([4]));
        Assert.Equal(4, all.Count);
        Assert.Equal("two", all[1]!.GetValue<string>());
        Assert.Equal(3, all[2]!["three"]!.GetValue<int>());
        Assert.Equal(new byte[] { 4 }, SocketIoDriver.FromBinary(all[3]));

        var failed = await driver.EmitWithAckAsync("c", "Fail");
        Assert.Contains("Failed on purpose", failed[0]!["error"]!.GetValue<string>());

        var badArguments = await driver.EmitWithAckAsync("c", "Add", "not a number", 1);
        Assert.NotNull(badArguments[0]!["error"]);
        Assert.Equal("still alive", (await driver.EmitWithAckAsync("c", "Echo", "still alive"))[0]!.GetValue<string>());
    }

    [Fact]
    public async Task With_hub_methods_turned_off_every_event_reaches_the_fallback()
    {
        await using var server = await BridgeServer.StartAsync(options => options.InvokeHubMethods = false);
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" } });
        var ack = await driver.EmitWithAckAsync("c", "echo", "x");
        Assert.Equal("echo", ack[0]!["received"]!.GetValue<string>());
        Assert.Equal(1, ack[0]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_engine_heartbeat_keeps_signalr_client_timeout_satisfied()
    {
        await using var server = await BridgeServer.StartAsync(
            options => { options.PingInterval = 200; options.PingTimeout = 2000; },
            hub: hub => { hub.ClientTimeoutInterval = TimeSpan.FromSeconds(1); hub.KeepAliveInterval = TimeSpan.FromMilliseconds(300); });
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" } });

        // Idle for three client-timeout intervals: the connection must survive on Engine.IO heartbeats alone.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(server.Services.GetRequiredService<TestHubRecorder>().Disconnected);
        Assert.True((await driver.StateAsync("c"))!["connected"]!.GetValue<bool>());
        Assert.Equal("alive", (await driver.EmitWithAckAsync("c", "Echo", "alive"))[0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task Group_sends_arrive_in_the_order_they_were_sent(string transport)
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { transport } });

        const int count = 500;
        for (var i = 0; i < count; i++)
        {
            await server.Hub.Clients.Group("ns:/room").SendAsync("seq", i);
        }

        var received = await driver.NextManyAsync("c", "seq", count);
        Assert.Equal(Enumerable.Range(0, count), received.Select(args => args![0]!.GetValue<int>()));
    }

    [Fact]
    public async Task One_group_send_reaches_each_namespace_framed_for_it()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        string[] clients = ["alpha", "beta", "root"];
        foreach (var name in clients)
        {
            var ns = name == "root" ? "/" : "/" + name;
            await driver.ConnectAsync(name, server.Url + ns, new { transports = new[] { "websocket" } });
            await driver.EmitWithAckAsync(name, "Join", "mixed");
        }

        // The same serialised bytes reach sockets of three namespaces: each must get its own namespace's packet, every time.
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await server.Hub.Clients.Group("mixed").SendAsync("seq", i);
        }

        foreach (var name in clients)
        {
            var received = await driver.NextManyAsync(name, "seq", count);
            Assert.Equal(Enumerable.Range(0, count), received.Select(args => args![0]!.GetValue<int>()));
        }
    }

    [Fact]
    public async Task SignalR_and_SocketIo_clients_receive_the_same_group_send()
    {
        await using var server = await BridgeServer.StartAsync();
        await using var driver = SocketIoDriver.Start();
        await driver.ConnectAsync("c", server.Url + "/room", new { transports = new[] { "websocket" } });
        await driver.EmitWithAckAsync("c", "Join", "shared");

        await using var signalR = new HubConnectionBuilder().WithUrl(server.Url + "/hubs/test").Build();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        signalR.On<string>("shout", text => received.TrySetResult(text));
        await signalR.StartAsync();
        await signalR.InvokeAsync("Join", "shared");

        // A Socket.IO client calls a hub method that sends to a group holding both kinds of client.
        await driver.EmitWithAckAsync("c", "Shout", "shared", "to everyone");
        Assert.Equal("to everyone", await received.Task.WithTimeout(Timeout, "the SignalR client to receive the shout"));
        Assert.Equal("to everyone", (await driver.NextAsync("c", "shout"))[0]!.GetValue<string>());
    }

    private sealed class RefusePrivateNamespace : ISocketIoConnectHandler
    {
        private static ValueTask<SocketIoConnectResult> Named(SocketIoConnectContext context)
        {
            var name = context.Auth?.GetProperty("name").GetString();
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, name!)], "test"));
            context.Items["namespace"] = context.Namespace;
            return ValueTask.FromResult(SocketIoConnectResult.Accept());
        }

        public ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken) => context.Namespace switch
        {
            "/private" => ValueTask.FromResult(SocketIoConnectResult.Reject("Unauthorized")),
            "/broken" => throw new InvalidOperationException("the store is unreachable"),
            "/named" => Named(context),
            _ => ValueTask.FromResult(SocketIoConnectResult.Accept()),
        };
    }
}
