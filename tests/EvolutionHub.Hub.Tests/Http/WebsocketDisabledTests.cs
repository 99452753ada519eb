namespace EvolutionHub.Hub.Tests;

/// <summary><c>Websocket:Enabled=false</c>: neither real-time protocol is served, and publishing still is.</summary>
public sealed class WebsocketDisabledTests
{
    [Theory]
    [InlineData("POST", "/hubs/events/negotiate?negotiateVersion=1")]
    [InlineData("GET", "/socket.io/?EIO=4&transport=polling")]
    public async Task With_websockets_disabled_neither_SignalR_nor_SocketIo_is_served(string method, string path)
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:Enabled"] = "false" });
        await Expect.ProblemAsync(await hub.SendAsync(new HttpMethod(method), path, HubServer.GlobalKey), 404);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, """{"event":"CALL","instance":"x"}"""), 202);
    }
}
