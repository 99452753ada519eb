using System.Text.Json;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>Instance names that climb the upstream path, tokens too short to be secrets, upstream addresses kept from clients.</summary>
public sealed class InstanceNameAndTokenTests
{
    private const string Route = "POST /message/sendText/{instance}";

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public async Task Dot_and_dot_dot_are_no_instance_anywhere_and_nothing_reaches_upstream(string name)
    {
        await using var upstream = await Upstream.StartAsync();
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = upstream.BaseUrl,
            ["Inbound:Routes:send_message"] = Route,
        });

        // A namespace socket.io-client cannot even ask for (its URL parsing makes "/.." into "/"): sent by hand.
        var socket = await RawSocketIo.OpenAsync(hub.Http);
        Assert.Equal($$"""44/{{name}},{"message":"Invalid namespace"}""", await socket.ConnectAsync("/" + name, HubServer.GlobalKey));

        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();
        foreach (var call in new Func<Task>[]
        {
            () => connection.InvokeAsync("Subscribe", name),
            () => connection.InvokeAsync<object>("Send", name, "send_message", new { text = "x" }),
            () => connection.InvokeAsync("Publish", new { @event = "CALL", instance = name }),
        })
        {
            Assert.Contains("instance", (await Assert.ThrowsAsync<HubException>(call)).Message, StringComparison.OrdinalIgnoreCase);
        }

        var envelope = JsonSerializer.Serialize(new { @event = "CALL", instance = name, data = new { } });
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, envelope), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Post, "/webhook", HubServer.GlobalKey, envelope), 400);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task An_unreachable_upstream_is_reported_without_its_address()
    {
        await using var upstream = await Upstream.StartAsync();
        var address = new Uri(upstream.BaseUrl);
        await upstream.DisposeAsync();
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Evolution:BaseUrl"] = address.ToString(),
            ["Inbound:Routes:send_message"] = Route,
        });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await connection.StartAsync();
        await using var driver = SocketIoDriver.Start();
        var connected = await driver.ConnectAsync("c", hub.BaseUri.ToString().TrimEnd('/') + "/shop", new { transports = new[] { "websocket" }, auth = new { apikey = HubServer.GlobalKey } });
        Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());

        var results = new[]
        {
            PlainJson.ToElement(await connection.InvokeAsync<object>("Send", "shop", "send_message", new { text = "x" })).GetRawText(),
            (await driver.EmitWithAckAsync("c", "send_message", new { text = "x" })).ToJsonString(),
        };

        foreach (var result in results)
        {
            Assert.Contains("Evolution API is unreachable", result, StringComparison.Ordinal);
            Assert.DoesNotContain(address.Host, result, StringComparison.Ordinal);
            Assert.DoesNotContain(address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_shorter_than_the_minimum_is_refused_and_the_minimum_is_16_unless_configured()
    {
        await using var hub = await HubServer.StartAsync();
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/short", HubServer.GlobalKey, """{"token":"a"}"""), 400);
        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/short", HubServer.GlobalKey, """{"token":"fifteen-charact"}"""), 400);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Put, "/api/instances/short", HubServer.GlobalKey, """{"token":"sixteen-characte"}"""), 201);
        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/short", "sixteen-characte"), 200);

        await using var lenient = await HubServer.StartAsync(new Dictionary<string, string?> { ["Authentication:MinTokenLength"] = "4" });
        await Expect.StatusAsync(await lenient.SendAsync(HttpMethod.Put, "/api/instances/short", HubServer.GlobalKey, """{"token":"four"}"""), 201);
    }

    [Fact]
    public async Task A_configured_instance_token_shorter_than_the_minimum_stops_the_start_with_a_clear_message()
    {
        var refused = await Assert.ThrowsAsync<HubStartupException>(() => HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Instances:seeded:Token"] = "short-token",
        }));

        Assert.Contains("Instances:seeded:Token", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Authentication:MinTokenLength", refused.Message, StringComparison.Ordinal);

        // The program prints it and exits non-zero.
        var process = await Assert.ThrowsAsync<InvalidOperationException>(() => HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = "process-key-0123456789",
            ["Instances__seeded__Token"] = "short-token",
        }));
        Assert.Contains("exited with 1", process.Message, StringComparison.Ordinal);
    }
}
