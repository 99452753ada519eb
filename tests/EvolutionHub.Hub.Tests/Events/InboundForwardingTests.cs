using System.Text.Json;
using System.Text.Json.Nodes;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

public sealed class InboundForwardingTests
{
    private static Dictionary<string, string?> Settings(Upstream upstream) => new()
    {
        ["Evolution:BaseUrl"] = upstream.BaseUrl,
        ["Evolution:TimeoutSeconds"] = "5",
        ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}",
        ["Inbound:Routes:connection_state"] = "GET /instance/connectionState/{instance}",
        ["Inbound:Routes:send_media"] = "POST /message/sendMedia/{instance}",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_forwards_to_Evolution_with_the_instance_token_and_returns_the_result(bool messagePack)
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        await using var connection = hub.SignalR("shop-token-0123456789", messagePack: messagePack);
        await connection.StartAsync();

        var result = PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "send_message", new Dictionary<string, object?> { ["number"] = "5511999999999", ["text"] = "hi" }));

        Assert.Equal("""{"ok":true,"status":201,"body":{"key":{"id":"ABC123"},"status":"PENDING"}}""", result.GetRawText());
        var request = Assert.Single(upstream.Requests);
        Assert.Equal(("POST", "/message/sendText/shop", "shop-token-0123456789"), (request.Method, request.Path, request.ApiKey));
        Assert.Equal("""{"number":"5511999999999","text":"hi"}""", JsonDocument.Parse(request.Body).RootElement.GetRawText());
    }

    [Fact]
    public async Task A_GET_route_is_sent_upstream_as_GET_with_the_instance_token_from_SignalR_and_Socket_IO()
    {
        await using var upstream = await Upstream.StartAsync();
        upstream.Status = 200;
        upstream.Body = """{"instance":{"instanceName":"shop","state":"open"}}""";
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        var expectedAck = """{"ok":true,"status":200,"body":{"instance":{"instanceName":"shop","state":"open"}}}""";

        await using var connection = hub.SignalR("shop-token-0123456789");
        await connection.StartAsync();
        Assert.Equal(expectedAck, PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "connection_state", null)).GetRawText());

        // A client holding the global key: upstream still gets the instance's token.
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", hub.BaseUri.ToString().TrimEnd('/') + "/shop", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
        var ack = await driver.EmitWithAckAsync("c", "connection_state");
        Assert.Equal($"[{expectedAck}]", ack.ToJsonString());

        Assert.Equal(
            [new RecordedRequest("GET", "/instance/connectionState/shop", "shop-token-0123456789", ""), new RecordedRequest("GET", "/instance/connectionState/shop", "shop-token-0123456789", "")],
            upstream.Requests.ToArray());
    }

    [Fact]
    public async Task A_Socket_IO_emit_with_a_binary_attachment_is_sent_upstream_with_the_bytes_as_base64()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await hub.RegisterAsync("shop", "shop-token-0123456789");
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", hub.BaseUri.ToString().TrimEnd('/') + "/shop", new { transports = new[] { "websocket" }, auth = new { apikey = "shop-token-0123456789" } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
        byte[] bytes = [0x00, 0x01, 0xfb, 0xff, 0x3e];

        var ack = await driver.EmitWithAckAsync("c", "send_media", new JsonObject
        {
            ["number"] = "5511999999999",
            ["media"] = SocketIoDriver.Binary(bytes),
            ["nested"] = new JsonArray(SocketIoDriver.Binary([0x7f])),
        });

        Assert.Equal("""[{"ok":true,"status":201,"body":{"key":{"id":"ABC123"},"status":"PENDING"}}]""", ack.ToJsonString());
        var request = Assert.Single(upstream.Requests);
        Assert.Equal(("POST", "/message/sendMedia/shop", "shop-token-0123456789"), (request.Method, request.Path, request.ApiKey));
        var expected = new JsonObject
        {
            ["number"] = "5511999999999",
            ["media"] = Convert.ToBase64String(bytes),
            ["nested"] = new JsonArray(Convert.ToBase64String([0x7f])),
        };
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(request.Body)), $"upstream received {request.Body}");
    }

    [Fact]
    public async Task An_instance_without_a_token_is_forwarded_with_the_global_key_and_upstream_errors_are_reported()
    {
        await using var upstream = await Upstream.StartAsync();
        upstream.Status = 400;
        upstream.Body = """{"error":"bad number"}""";
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();

        var result = PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "unregistered", "SEND_MESSAGE", new { number = "x" }));

        Assert.Equal("""{"ok":false,"status":400,"body":{"error":"bad number"}}""", result.GetRawText());
        Assert.Equal(HubServer.GlobalKey, Assert.Single(upstream.Requests).ApiKey);
    }

    [Fact]
    public async Task No_route_or_no_upstream_answers_an_error_result()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await using var off = await HubServer.StartAsync(new Dictionary<string, string?> { ["Inbound:Routes:send_message"] = "POST /message/sendText/{instance}" });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await using var offConnection = off.SignalR(HubServer.GlobalKey);
        await Task.WhenAll(connection.StartAsync(), offConnection.StartAsync());

        var noRoute = PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "no_such_route", null));
        Assert.False(noRoute.GetProperty("ok").GetBoolean());
        Assert.Contains("no_such_route", noRoute.GetProperty("error").GetString());

        var noUpstream = PlainJson.ToElement(await offConnection.InvokeAsync<object>("Send", "shop", "send_message", new { text = "x" }));
        Assert.False(noUpstream.GetProperty("ok").GetBoolean());
        Assert.Contains("BaseUrl", noUpstream.GetProperty("error").GetString());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task An_unreachable_upstream_answers_an_error_result_and_the_connection_stays()
    {
        await using var upstream = await Upstream.StartAsync();
        var settings = Settings(upstream);
        await upstream.DisposeAsync();
        await using var hub = await HubServer.StartAsync(settings);
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();

        var result = PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "send_message", new { text = "x" }));

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.True(result.TryGetProperty("error", out _));
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task A_failed_POST_is_not_retried_so_a_message_is_never_sent_twice()
    {
        await using var upstream = await Upstream.StartAsync();
        upstream.Status = 503;
        await using var hub = await HubServer.StartAsync(Settings(upstream));
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();

        var result = PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "send_message", new { text = "once" }));

        Assert.Equal(503, result.GetProperty("status").GetInt32());
        Assert.Single(upstream.Requests);
    }
}
