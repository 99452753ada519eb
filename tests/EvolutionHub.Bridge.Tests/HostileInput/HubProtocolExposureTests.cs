using System.Net.WebSockets;
using System.Text;
using EvolutionHub.Bridge.Internal.Hubs.Protocol;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>The <c>socketio</c> hub protocol serves the bridge's own hub connections and no SignalR client.</summary>
public sealed class HubProtocolExposureTests
{
    [Theory]
    [InlineData("socketio")]
    [InlineData("SocketIO")]
    public async Task A_signalr_client_asking_for_the_bridge_protocol_is_refused_like_an_unknown_protocol(string protocol)
    {
        await using var server = await BridgeServer.StartAsync();
        var answer = await HandshakeAsync(server, protocol);
        Assert.Equal($"{{\"error\":\"The protocol '{protocol}' is not supported.\"}}\u001e", answer);
        Assert.Equal(await HandshakeAsync(server, "no-such-protocol"), answer.Replace(protocol, "no-such-protocol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_protocols_of_the_application_still_answer_and_socket_io_still_works()
    {
        await using var server = await BridgeServer.StartAsync();
        Assert.Equal("{}\u001e", await HandshakeAsync(server, "json"));

        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync("/room");
        await RawEngineIo.SendTextAsync(socket, "42/room,1[\"Echo\",\"still here\"]");
        Assert.Equal("43/room,1[\"still here\"]", await RawEngineIo.NextAsync(socket, m => m.StartsWith("43", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_backplane_serialises_the_bridge_protocol_under_a_name_no_client_can_speak()
    {
        await using var server = await BridgeServer.StartAsync(hub: hub => hub.SupportedProtocols = ["json"]);
        var supported = server.Services.GetRequiredService<IOptions<HubOptions<TestHub>>>().Value.SupportedProtocols
            ?? server.Services.GetRequiredService<IOptions<HubOptions>>().Value.SupportedProtocols;
        Assert.Equal(["json", SocketIoHubProtocolResolver.BackplaneName], supported);

        // What a backplane (Redis) does when it starts: a protocol for each supported name, to serialise each message once.
        var resolver = server.Services.GetRequiredService<IHubProtocolResolver>();
        var view = resolver.GetProtocol(SocketIoHubProtocolResolver.BackplaneName, null);
        Assert.NotNull(view);
        Assert.Equal("socketio", view.Name);
        Assert.False(view.IsVersionSupported(1));
        var message = new InvocationMessage("news", ["hello", new byte[] { 1, 2 }]);
        Assert.Equal(server.Services.GetRequiredService<SocketIoHubProtocol>().GetMessageBytes(message).ToArray(), view.GetMessageBytes(message).ToArray());
        Assert.Null(resolver.GetProtocol("socketio", null));

        Assert.Equal($"{{\"error\":\"The server does not support version 1 of the '{SocketIoHubProtocolResolver.BackplaneName}' protocol.\"}}\u001e",
            await HandshakeAsync(server, SocketIoHubProtocolResolver.BackplaneName));
    }

    /// <summary>SignalR's handshake over a raw WebSocket on the hub's <c>MapHub</c> endpoint; returns the server's answer.</summary>
    private static async Task<string> HandshakeAsync(BridgeServer server, string protocol)
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(server.Url.Replace("http", "ws", StringComparison.Ordinal) + "/hubs/test"), timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e"), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token).AsTask().WithTimeout(TimeSpan.FromSeconds(10), "the handshake answer");
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
