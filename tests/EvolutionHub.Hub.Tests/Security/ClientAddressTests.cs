using System.Net;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// The client's address for every per-address rule: <c>X-Forwarded-For</c> is believed from <c>Http:KnownProxies</c> only,
/// whatever <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> says.
/// </summary>
public sealed class ClientAddressTests
{
    private const string AllowedHost = "10.1.2.3";

    [Fact]
    public async Task With_ASPNETCORE_FORWARDEDHEADERS_ENABLED_a_forged_X_Forwarded_For_is_not_believed()
    {
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = "process-key-0123456789",
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["WEBSOCKET_ALLOWED_HOSTS"] = AllowedHost,
            ["Limits__FailedAuthenticationsPerMinute"] = "3",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(hub.Http, key: null, AllowedHost));

        // Failures under three forged addresses are the peer's own: the peer is blocked, whatever it claims next.
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(hub.Http, "wrong-key", $"198.51.100.{i}"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await NegotiateAsync(hub.Http, "process-key-0123456789", "198.51.100.4"));
    }

    [Fact]
    public async Task X_Forwarded_For_is_believed_from_a_known_proxy_up_to_the_first_address_that_is_not_one()
    {
        await using var direct = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:AllowedHosts"] = AllowedHost });
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(direct.Http, key: null, AllowedHost));

        await using var proxied = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Websocket:AllowedHosts"] = AllowedHost,
            ["Http:KnownProxies"] = "192.0.2.1, 127.0.0.1",
        });
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(proxied.Http, key: null, AllowedHost));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(proxied.Http, key: null, $"{AllowedHost}, 192.0.2.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(proxied.Http, key: null, $"{AllowedHost}, 198.51.100.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(proxied.Http, key: null, forwardedFor: null));

        // Socket.IO reads the same address.
        var socket = await RawSocketIo.OpenAsync(proxied.Http, request => request.Headers.Add("X-Forwarded-For", AllowedHost));
        Assert.StartsWith("""40/shop,{"sid":""", await socket.ConnectAsync("/shop", key: null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_known_proxy_each_client_address_has_its_own_failure_count()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Http:KnownProxies"] = "127.0.0.1",
            ["Limits:FailedAuthenticationsPerMinute"] = "3",
        });

        for (var i = 0; i < 3; i++)
        {
            await Expect.ProblemAsync(await GetInstancesAsync(hub, "wrong-key", "198.51.100.1"), 401);
        }

        await Expect.ProblemAsync(await GetInstancesAsync(hub, HubServer.GlobalKey, "198.51.100.1"), 429);
        await Expect.StatusAsync(await GetInstancesAsync(hub, HubServer.GlobalKey, "198.51.100.2"), 200);
        await Expect.StatusAsync(await GetInstancesAsync(hub, HubServer.GlobalKey, forwardedFor: null), 200);
    }

    private static Task<HttpResponseMessage> GetInstancesAsync(HubServer hub, string key, string? forwardedFor) =>
        hub.SendAsync(HttpMethod.Get, "/api/instances", key, configure: request =>
        {
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }
        });

    private static async Task<HttpStatusCode> NegotiateAsync(HttpClient http, string? key, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1");
        if (key is not null)
        {
            request.Headers.Add("apikey", key);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
