using System.Text.Json;
using EvolutionHub.Internal;
using EvolutionHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Hub.Tests;

/// <summary>CONTRACT §2: defaults, <c>SocketIo:*</c> and the environment aliases do what they say, beyond being read.</summary>
public sealed class ConfigurationEffectTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(40);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_a_storage_path_the_database_is_data_evolutionhub_db_under_the_content_root(bool withAppSettings)
    {
        var root = Directory.CreateTempSubdirectory("evolutionhub-root").FullName;
        if (withAppSettings)
        {
            // The shipped appsettings.json names the default too; either place changing it would show here.
            File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        }

        var expected = Path.Combine(root, "data", "evolutionhub.db");
        await using (var hub = await HubServer.StartInContentRootAsync(root))
        {
            Assert.Equal(expected, Assert.IsType<SqliteInstanceStore>(hub.Services.GetRequiredService<IInstanceStore>()).Path);
            await hub.RegisterAsync("rooted", "rooted-token");
        }

        Assert.True(File.Exists(expected), $"{expected} was not written");
        await using var restarted = await HubServer.StartInContentRootAsync(root);
        Assert.Equal(
            """[{"name":"rooted","connections":0}]""",
            (await Expect.JsonAsync(await restarted.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200)).GetRawText());
    }

    [Fact]
    public async Task SocketIo_path_ping_and_max_payload_read_from_configuration_take_effect()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["SocketIo:Path"] = "/realtime/",
            ["SocketIo:PingInterval"] = "4000",
            ["SocketIo:PingTimeout"] = "3000",
            ["SocketIo:MaxPayload"] = "4096",
        });

        await Expect.ProblemAsync(await hub.SendAsync(HttpMethod.Get, "/socket.io/?EIO=4&transport=polling", null), 404);
        var (sid, open) = await OpenAsync(hub, "/realtime/");
        Assert.Equal(4000, open.GetProperty("pingInterval").GetInt32());
        Assert.Equal(3000, open.GetProperty("pingTimeout").GetInt32());
        Assert.Equal(4096, open.GetProperty("maxPayload").GetInt32());

        // Over MaxPayload: refused (the default, 1 000 000, would take it).
        using (var post = await hub.SendAsync(HttpMethod.Post, $"/realtime/?EIO=4&transport=polling&sid={sid}", null, configure: request =>
            request.Content = new StringContent("4" + new string('x', 5000))))
        {
            Assert.Equal(413, (int)post.StatusCode);
        }

        // A real client given the same path connects and receives events.
        var result = await NodeScript.RunAsync("hub/socketio-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/moved",
            path = "/realtime/",
            auth = new { apikey = HubServer.GlobalKey },
            events = new[] { "call" },
            expect = 1,
            publish = new { url = hub.Url("/api/events").ToString(), apikey = HubServer.GlobalKey, body = new { @event = "CALL", instance = "moved", data = new { } } },
        }));
        Assert.True(result.TryGetProperty("events", out var events), result.GetRawText());
        Assert.Equal("moved", events[0].GetProperty("envelope").GetProperty("instance").GetString());
    }

    [Fact]
    public async Task SocketIo_connect_timeout_read_from_configuration_closes_a_session_that_joins_no_namespace()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["SocketIo:ConnectTimeout"] = "700",
            ["SocketIo:PingInterval"] = "3000",
        });

        // Closed after 700 ms, before the first ping (3000 ms) is due: the pending poll gets the close packet, not a ping.
        var (sid, _) = await OpenAsync(hub, "/socket.io/");
        using var poll = await hub.SendAsync(HttpMethod.Get, $"/socket.io/?EIO=4&transport=polling&sid={sid}", null);
        Assert.Equal("1", await poll.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CORS_ORIGIN_and_WEBSOCKET_GLOBAL_EVENTS_take_effect_in_a_running_hub()
    {
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = "process-key",
            ["CORS_ORIGIN"] = "https://app.example",
            ["WEBSOCKET_GLOBAL_EVENTS"] = "true",
        });

        foreach (var (origin, allowed) in new[] { ("https://app.example", true), ("https://evil.example", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            request.Headers.Add("Origin", origin);
            using var response = await hub.Http.SendAsync(request);
            var echoed = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
            Assert.True((allowed ? origin : null) == echoed, $"{origin}: Access-Control-Allow-Origin was '{echoed}'");
        }

        var result = await NodeScript.RunAsync("hub/socketio-listen.mjs", ScriptTimeout, JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/",
            auth = new { apikey = "process-key" },
            transports = new[] { "websocket" },
            events = new[] { "call" },
            expect = 1,
            publish = new { url = hub.Url("/api/events").ToString(), apikey = "process-key", body = new { @event = "CALL", instance = "anywhere", data = new { } } },
        }));
        Assert.Equal("anywhere", result.GetProperty("events")[0].GetProperty("envelope").GetProperty("instance").GetString());
    }

    /// <summary>An Engine.IO v4 long-polling handshake: the session id and the open packet's JSON.</summary>
    private static async Task<(string Sid, JsonElement Open)> OpenAsync(HubServer hub, string path)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, $"{path}?EIO=4&transport=polling", null);
        await Expect.StatusAsync(response, 200);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("0{", body, StringComparison.Ordinal);
        var open = JsonDocument.Parse(body[1..]).RootElement.Clone();
        return (open.GetProperty("sid").GetString()!, open);
    }
}
