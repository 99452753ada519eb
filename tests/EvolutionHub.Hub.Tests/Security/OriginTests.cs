using System.Net;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// CORS does not cover WebSockets: a page of any site can open one to the hub. <c>Websocket:AllowedHosts</c> therefore
/// grants keyless access only to requests with no <c>Origin</c> or one <c>Cors:Origin</c> allows, and
/// <c>Websocket:RequireAllowedOrigin</c> holds keyed connections to the same rule.
/// </summary>
public sealed class OriginTests
{
    private const string Allowed = "https://app.example";
    private const string Evil = "http://evil.test";

    private static Dictionary<string, string?> Settings(bool requireAllowedOrigin = false) => new()
    {
        ["Websocket:AllowedHosts"] = "127.0.0.1",
        ["Cors:Origin"] = Allowed,
        ["Websocket:RequireAllowedOrigin"] = requireAllowedOrigin ? "true" : "false",
    };

    private static object WebSocketFrom(string? origin, string? key = null) => new
    {
        transports = new[] { "websocket" },
        extraHeaders = origin is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Origin"] = origin },
        auth = key is null ? null : new { apikey = key },
        forceNew = true,
    };

    [Fact]
    public async Task A_page_of_another_site_gets_nothing_from_an_allowed_host_on_Socket_IO_or_SignalR()
    {
        await using var hub = await HubServer.StartAsync(Settings());
        await using var driver = SocketIoDriver.Start();
        var url = hub.BaseUri.ToString().TrimEnd('/');
        foreach (var @namespace in new[] { "/", "/a" })
        {
            var refused = await driver.ConnectAsync("evil" + @namespace, url + @namespace, WebSocketFrom(Evil));
            Assert.Equal("Unauthorized", refused!["error"]!.GetValue<string>());
        }

        await using var evil = hub.SignalR(null, configure: options => options.Headers["Origin"] = Evil);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => evil.StartAsync())).StatusCode);

        // Not a web page (no Origin), or a page of an allowed site: the allowed host connects without a key.
        foreach (var (name, origin) in new[] { ("plain", (string?)null), ("app", Allowed) })
        {
            var connected = await driver.ConnectAsync(name, url + "/a", WebSocketFrom(origin));
            Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
        }

        await using var page = hub.SignalR(null, configure: options => options.Headers["Origin"] = Allowed);
        await page.StartAsync();
        await page.InvokeAsync("SubscribeGlobal");
    }

    [Fact]
    public async Task RequireAllowedOrigin_refuses_keyed_connections_from_other_sites_and_is_off_by_default()
    {
        await using var strict = await HubServer.StartAsync(Settings(requireAllowedOrigin: true));
        await using var driver = SocketIoDriver.Start();
        var url = strict.BaseUri.ToString().TrimEnd('/');
        var refused = await driver.ConnectAsync("evil", url + "/a", WebSocketFrom(Evil, HubServer.GlobalKey));
        Assert.Equal("Origin not allowed", refused!["error"]!.GetValue<string>());
        await using (var evil = strict.SignalR(HubServer.GlobalKey, configure: options => options.Headers["Origin"] = Evil))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<HttpRequestException>(() => evil.StartAsync())).StatusCode);
        }

        var fromApp = await driver.ConnectAsync("app", url + "/a", WebSocketFrom(Allowed, HubServer.GlobalKey));
        Assert.True(fromApp!["connected"]!.GetValue<bool>(), fromApp.ToJsonString());
        await using (var app = strict.SignalR(HubServer.GlobalKey, configure: options => options.Headers["Origin"] = Allowed))
        {
            await app.StartAsync();
        }

        await using var lenient = await HubServer.StartAsync(Settings());
        var keyed = await driver.ConnectAsync("keyed", lenient.BaseUri.ToString().TrimEnd('/') + "/a", WebSocketFrom(Evil, HubServer.GlobalKey));
        Assert.True(keyed!["connected"]!.GetValue<bool>(), keyed.ToJsonString());
        await using var keyedSignalR = lenient.SignalR(HubServer.GlobalKey, configure: options => options.Headers["Origin"] = Evil);
        await keyedSignalR.StartAsync();
    }
}
