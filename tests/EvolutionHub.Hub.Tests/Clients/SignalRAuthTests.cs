using System.Net;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

public sealed class SignalRAuthTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Connecting_without_a_valid_key_is_refused_with_401(string? key)
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(key);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Access_token_apikey_query_and_apikey_header_all_authenticate(HttpTransportType transport)
    {
        await using var hub = await HubServer.StartAsync();
        await using var byToken = hub.SignalR(HubServer.GlobalKey, transport);
        await using var byQuery = hub.SignalR(null, transport, query: "?apikey=" + HubServer.GlobalKey);
        await using var byHeader = hub.SignalR(null, transport, configure: o => o.Headers["apikey"] = HubServer.GlobalKey);
        foreach (var connection in new[] { byToken, byQuery, byHeader })
        {
            await connection.StartAsync();
            await connection.InvokeAsync("SubscribeGlobal");
        }
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets, "query")]
    [InlineData(HttpTransportType.WebSockets, "header")]
    [InlineData(HttpTransportType.LongPolling, "query")]
    [InlineData(HttpTransportType.ServerSentEvents, "header")]
    [InlineData(HttpTransportType.WebSockets, "both in the query")]
    public async Task Access_token_takes_precedence_over_the_apikey_query_and_header(HttpTransportType transport, string where)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("mine", "mine-token-0123456789");
        // The .NET client sends its access token as a bearer header; browsers' clients as ?access_token= ("both in the query").
        HubConnection Connect(string accessToken, string apikey) => where switch
        {
            "query" => hub.SignalR(accessToken, transport, query: "?apikey=" + apikey),
            "header" => hub.SignalR(accessToken, transport, configure: o => o.Headers["apikey"] = apikey),
            _ => hub.SignalR(null, transport, query: $"?access_token={accessToken}&apikey={apikey}"),
        };

        // A wrong access_token is refused even beside the global key.
        await using (var wrong = Connect("wrong-key", HubServer.GlobalKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => wrong.StartAsync())).StatusCode);
        }

        // The access_token's scope is the connection's, whatever the other place holds.
        await using var global = Connect(HubServer.GlobalKey, "wrong-key");
        await global.StartAsync();
        await global.InvokeAsync("SubscribeGlobal");
        await using var instance = Connect("mine-token-0123456789", HubServer.GlobalKey);
        await instance.StartAsync();
        await instance.InvokeAsync("Subscribe", "mine");
        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => instance.InvokeAsync("SubscribeGlobal"))).Message);
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task The_apikey_query_parameter_takes_precedence_over_the_apikey_header(HttpTransportType transport)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("mine", "mine-token-0123456789");
        HubConnection Connect(string queryKey, string headerKey) =>
            hub.SignalR(null, transport, query: "?apikey=" + queryKey, configure: o => o.Headers["apikey"] = headerKey);

        // A right query key with a wrong header connects; a wrong query key is refused even beside the global key.
        await using var right = Connect(HubServer.GlobalKey, "wrong-key");
        await right.StartAsync();
        await right.InvokeAsync("SubscribeGlobal");
        await using (var wrong = Connect("wrong-key", HubServer.GlobalKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => wrong.StartAsync())).StatusCode);
        }

        // The query key's scope is the connection's, whatever the header holds.
        await using var instance = Connect("mine-token-0123456789", HubServer.GlobalKey);
        await instance.StartAsync();
        await instance.InvokeAsync("Subscribe", "mine");
        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => instance.InvokeAsync("SubscribeGlobal"))).Message);
    }

    [Fact]
    public async Task An_instance_token_reaches_its_own_instance_only_and_the_connection_survives_refusals()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("mine", "mine-token-0123456789");
        await hub.RegisterAsync("theirs", "theirs-token-0123456789");
        await using var connection = hub.SignalR("mine-token-0123456789");
        var events = new EventRecorder(connection, "messages.upsert");
        await connection.StartAsync();

        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Subscribe", "theirs"))).Message);
        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("SubscribeGlobal"))).Message);
        Assert.Contains("Unauthorized", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<object>("Send", "theirs", "send_message", new { }))).Message);
        Assert.Equal(HubConnectionState.Connected, connection.State);

        await connection.InvokeAsync("Subscribe", "mine");
        await hub.PublishAsync(new { @event = "MESSAGES_UPSERT", instance = "mine", data = new { } });
        Assert.Equal("mine", (await events.NextEnvelopeAsync("messages.upsert")).GetProperty("instance").GetString());
    }

    [Fact]
    public async Task An_allowed_host_connects_without_a_key_with_global_scope()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:AllowedHosts"] = "10.9.8.7, 127.0.0.1" });
        await using var connection = hub.SignalR(null);
        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeGlobal");
    }

    [Fact]
    public async Task An_address_not_allowed_still_needs_a_key()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:AllowedHosts"] = "10.9.8.7" });
        await using var connection = hub.SignalR(null);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Rotating_or_revoking_a_token_cuts_its_connections_and_refuses_the_old_token()
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("rot", "old-token-0123456789");
        await using var holder = hub.SignalR("old-token-0123456789");
        await using var global = hub.SignalR(HubServer.GlobalKey);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holder.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await Task.WhenAll(holder.StartAsync(), global.StartAsync());
        await holder.InvokeAsync("Subscribe", "rot");

        await hub.RegisterAsync("rot", "new-token-0123456789");
        await closed.Task.WithTimeout(TimeSpan.FromSeconds(5), "the old token's connection to close after rotation");
        Assert.Equal(HubConnectionState.Connected, global.State);
        await using var stale = hub.SignalR("old-token-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => stale.StartAsync())).StatusCode);

        await using var fresh = hub.SignalR("new-token-0123456789");
        var revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fresh.Closed += _ => { revoked.TrySetResult(); return Task.CompletedTask; };
        await fresh.StartAsync();
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Delete, "/api/instances/rot", HubServer.GlobalKey), 204);
        await revoked.Task.WithTimeout(TimeSpan.FromSeconds(5), "the revoked token's connection to close");
    }
}
