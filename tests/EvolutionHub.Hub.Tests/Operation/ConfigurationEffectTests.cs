using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvolutionHub.Bridge;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Hub.Tests;

/// <summary>README "Configuration": defaults, <c>SocketIo:*</c> and the environment aliases do what they say, beyond being read.</summary>
public sealed partial class ConfigurationEffectTests
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
            await hub.RegisterAsync("rooted", "rooted-token-0123456789");
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

    [Fact]
    public async Task Values_of_the_appsettings_json_in_the_working_directory_take_effect_and_their_environment_aliases_override_them()
    {
        // The working directory plays the repository root: "dotnet run" reads the appsettings.json found there.
        var root = Directory.CreateTempSubdirectory("evolutionhub-root").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "appsettings.json"), """
            {
              "Authentication": { "ApiKey": "file-key" },
              "Websocket": { "GlobalEvents": true },
              "Cors": { "Origin": "https://file.example" },
              "Instances": { "filed": { "Token": "filed-token-0123456789" } }
            }
            """);

        await using (var fromFile = await HubProcess.StartAsync(new Dictionary<string, string>(), root))
        {
            Assert.Equal(200, await StatusAsync(fromFile, "/api/instances", "file-key"));
            Assert.Equal("https://file.example", await AllowedOriginAsync(fromFile, "https://file.example"));

            // The instance listed in the file is registered: its token opens its namespace. The global events of the file
            // reach "/" (off by default).
            await using var driver = SocketIoDriver.Start();
            var url = fromFile.BaseUri.ToString().TrimEnd('/');
            var instance = await driver.ConnectAsync("instance", url + "/filed", new { transports = new[] { "websocket" }, auth = new { apikey = "filed-token-0123456789" }, forceNew = true });
            Assert.True(instance!["connected"]!.GetValue<bool>(), instance.ToJsonString());
            var global = await driver.ConnectAsync("global", url + "/", new { transports = new[] { "websocket" }, auth = new { apikey = "file-key" }, forceNew = true });
            Assert.True(global!["connected"]!.GetValue<bool>(), global.ToJsonString());
            await PublishAsync(fromFile, "file-key", "filed");
            Assert.Equal("filed", (await driver.NextAsync("instance", "call"))[0]!["instance"]!.GetValue<string>());
            Assert.Equal("filed", (await driver.NextAsync("global", "call"))[0]!["instance"]!.GetValue<string>());
        }

        await using var overridden = await HubProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["AUTHENTICATION_API_KEY"] = "env-key",
                ["CORS_ORIGIN"] = "https://env.example",
                ["WEBSOCKET_GLOBAL_EVENTS"] = "false",
            },
            root);
        Assert.Equal(200, await StatusAsync(overridden, "/api/instances", "env-key"));
        Assert.Equal(401, await StatusAsync(overridden, "/api/instances", "file-key"));
        Assert.Equal("https://env.example", await AllowedOriginAsync(overridden, "https://env.example"));
        Assert.Null(await AllowedOriginAsync(overridden, "https://file.example"));

        await using (var driver = SocketIoDriver.Start())
        {
            var url = overridden.BaseUri.ToString().TrimEnd('/');
            var instance = await driver.ConnectAsync("instance", url + "/filed", new { transports = new[] { "websocket" }, auth = new { apikey = "filed-token-0123456789" }, forceNew = true });
            Assert.True(instance!["connected"]!.GetValue<bool>(), instance.ToJsonString());
            var global = await driver.ConnectAsync("global", url + "/", new { transports = new[] { "websocket" }, auth = new { apikey = "env-key" }, forceNew = true });
            Assert.True(global!["connected"]!.GetValue<bool>(), global.ToJsonString());
            await PublishAsync(overridden, "env-key", "filed");
            await driver.NextAsync("instance", "call");

            // Nothing to await for an event that must not come: the instance's client has it, "/" gets nothing.
            await Assert.ThrowsAsync<SocketIoDriverException>(() => driver.NextAsync("global", "call", timeoutMs: 500));
        }
    }

    [Fact]
    public async Task In_development_without_a_key_the_hub_prints_the_key_it_made_up_and_that_key_opens_the_api()
    {
        // Empty rather than absent, so that a key in the environment of the test run cannot stand in for the generated one.
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["AUTHENTICATION_API_KEY"] = "",
        });

        var printed = hub.StandardOutput.Select(line => PrintedKey().Match(line)).Where(match => match.Success).ToArray();
        Assert.True(printed.Length == 1, $"expected one line ending with a key of 32+ hex digits; the hub printed:\n{string.Join('\n', hub.StandardOutput)}");
        var key = printed[0].Groups["key"].Value;
        Assert.Equal(200, await StatusAsync(hub, "/api/instances", key));
        Assert.Equal(401, await StatusAsync(hub, "/api/instances", key + "0"));
    }

    // The default address http://0.0.0.0:8090 is not started here: port 8090 is the one a developer's own hub (README),
    // nginx.local.conf and docker-compose listen on, on the machines these tests run on. PersistenceAndConfigurationTests
    // checks the address the hub is given when no urls are set.

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_nothing_set_the_open_packet_has_the_default_ping_interval_ping_timeout_and_max_payload(bool withShippedAppSettings)
    {
        var root = Directory.CreateTempSubdirectory("evolutionhub-root").FullName;
        if (withShippedAppSettings)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        }

        await using var hub = await HubServer.StartInContentRootAsync(root);
        var (_, open) = await OpenAsync(hub, "/socket.io/");
        Assert.Equal(
            (25000, 20000, 1000000),
            (open.GetProperty("pingInterval").GetInt32(), open.GetProperty("pingTimeout").GetInt32(), open.GetProperty("maxPayload").GetInt32()));

        // ConnectTimeout only shows on the wire after 45 s (the test above shows a configured one takes effect): read the
        // value the bridge runs with instead.
        Assert.Equal(45000, hub.Services.GetRequiredService<IOptions<SocketIoOptions>>().Value.ConnectTimeout);
    }

    [Fact]
    public async Task With_nothing_set_a_body_of_32_MiB_is_read_and_one_byte_more_is_413()
    {
        const long limit = 32 * 1024 * 1024;
        await using var hub = await HubServer.StartInContentRootAsync(Directory.CreateTempSubdirectory("evolutionhub-root").FullName);

        // Expect: 100-continue lets the hub refuse the larger body before the client sends it.
        using (var over = await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, configure: request =>
        {
            request.Headers.ExpectContinue = true;
            request.Content = new PaddedJsonContent("""{"event":"CALL","instance":"big"}""", limit + 1);
        }))
        {
            await Expect.ProblemAsync(over, 413);
        }

        using var atLimit = await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, configure: request =>
        {
            request.Headers.ExpectContinue = true;
            request.Content = new PaddedJsonContent("""{"event":"CALL","instance":"big"}""", limit);
        });
        Assert.Equal(1, (await Expect.JsonAsync(atLimit, 202)).GetProperty("accepted").GetInt32());
    }

    private static async Task<int> StatusAsync(HubProcess hub, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("apikey", key);
        using var response = await hub.Http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<string?> AllowedOriginAsync(HubProcess hub, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("Origin", origin);
        using var response = await hub.Http.SendAsync(request);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    private static async Task PublishAsync(HubProcess hub, string key, string instance)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { @event = "CALL", instance, data = new { } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("apikey", key);
        using var response = await hub.Http.SendAsync(request);
        await Expect.StatusAsync(response, 202);
    }

    [GeneratedRegex(@"(?<key>[0-9a-fA-F]{32,})\s*$")]
    private static partial Regex PrintedKey();

    /// <summary>A JSON body of exactly <c>length</c> bytes, spaces then <c>json</c>, written in chunks rather than held whole.</summary>
    private sealed class PaddedJsonContent : HttpContent
    {
        private readonly byte[] _json;
        private readonly long _length;

        public PaddedJsonContent(string json, long length)
        {
            _json = Encoding.UTF8.GetBytes(json);
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var spaces = new byte[64 * 1024];
            Array.Fill(spaces, (byte)' ');
            for (var left = _length - _json.Length; left > 0;)
            {
                var chunk = (int)Math.Min(left, spaces.Length);
                await stream.WriteAsync(spaces.AsMemory(0, chunk));
                left -= chunk;
            }

            await stream.WriteAsync(_json);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
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
