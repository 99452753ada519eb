using EvolutionHub.Internal.Startup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Hub.Tests;

public sealed class PersistenceAndConfigurationTests
{
    [Fact]
    public async Task A_restart_keeps_tokens_and_settings()
    {
        var storage = HubServer.NewStoragePath();
        await using (var first = await HubServer.StartAsync(storagePath: storage))
        {
            await first.RegisterAsync("kept", "kept-token-0123456789");
            await Expect.StatusAsync(await first.PostAsync("/websocket/set/kept", "kept-token-0123456789", new { websocket = new { enabled = true, events = new[] { "CALL" } } }), 201);
        }

        await using var second = await HubServer.StartAsync(storagePath: storage);
        var settings = await Expect.JsonAsync(await second.SendAsync(HttpMethod.Get, "/websocket/find/kept", "kept-token-0123456789"), 200);
        Assert.Equal("""{"enabled":true,"events":["CALL"]}""", settings.GetRawText());
        Assert.Equal("""[{"name":"kept","connections":0}]""", (await Expect.JsonAsync(await second.SendAsync(HttpMethod.Get, "/api/instances", HubServer.GlobalKey), 200)).GetRawText());
    }

    [Fact]
    public async Task Instances_listed_in_configuration_are_registered()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Instances:configured:Token"] = "configured-token-0123456789",
            ["Instances:configured:Websocket:Enabled"] = "true",
            ["Instances:configured:Websocket:Events:0"] = "MESSAGES_UPSERT",
        });

        var settings = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/configured", "configured-token-0123456789"), 200);
        Assert.Equal("""{"enabled":true,"events":["MESSAGES_UPSERT"]}""", settings.GetRawText());
    }

    [Fact]
    public void Outside_development_the_hub_refuses_to_start_without_a_key()
    {
        var refused = Assert.Throws<HubStartupException>(() =>
            EvolutionHubApplication.Create(["--environment=Production", "--Authentication:ApiKey=", "--urls=http://127.0.0.1:0", $"--Storage:Path={HubServer.NewStoragePath()}"]));
        Assert.Contains("AUTHENTICATION_API_KEY", refused.Message);
    }

    [Fact]
    public async Task In_development_the_hub_makes_up_a_key()
    {
        await using var app = EvolutionHubApplication.Create(["--environment=Development", "--Authentication:ApiKey=", "--urls=http://127.0.0.1:0", $"--Storage:Path={HubServer.NewStoragePath()}"]);
        Assert.True(app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.ApiKey.Length >= 32);
    }

    [Fact]
    public async Task Without_urls_the_hub_listens_on_port_8090_of_every_address()
    {
        await using var app = EvolutionHubApplication.Create(["--environment=Production", "--urls=", "--Authentication:ApiKey=k", $"--Storage:Path={HubServer.NewStoragePath()}"]);
        Assert.Equal("http://0.0.0.0:8090", app.Configuration["urls"]);
    }

    [Fact]
    public void Evolution_style_environment_variables_map_onto_configuration_keys()
    {
        var aliases = EnvironmentAliases.Read(new System.Collections.Hashtable
        {
            ["AUTHENTICATION_API_KEY"] = "k",
            ["WEBSOCKET_ENABLED"] = "false",
            ["WEBSOCKET_GLOBAL_EVENTS"] = "true",
            ["WEBSOCKET_ALLOWED_HOSTS"] = "127.0.0.1",
            ["WEBSOCKET_FORWARD_APIKEY"] = "true",
            ["CORS_ORIGIN"] = "*",
            ["REDIS_URI"] = "redis://localhost:6379",
            ["EVOLUTION_BASE_URL"] = "http://evo",
            ["HUB_DATA_PATH"] = "/data/hub.db",
            ["UNRELATED"] = "x",
        });

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Authentication:ApiKey"] = "k",
                ["Websocket:Enabled"] = "false",
                ["Websocket:GlobalEvents"] = "true",
                ["Websocket:AllowedHosts"] = "127.0.0.1",
                ["Websocket:ForwardApiKey"] = "true",
                ["Cors:Origin"] = "*",
                ["Redis:Configuration"] = "redis://localhost:6379",
                ["Evolution:BaseUrl"] = "http://evo",
                ["Storage:Path"] = "/data/hub.db",
            },
            aliases);
    }

    [Fact]
    public async Task The_hub_runs_as_its_own_process_from_another_folder_with_environment_aliases()
    {
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string> { ["AUTHENTICATION_API_KEY"] = "process-key" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/instances");
        request.Headers.Add("apikey", "process-key");
        await Expect.StatusAsync(await hub.Http.SendAsync(request), 200);
    }
}
