using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>The hub's process as an operator runs it: --help, --version, failed starts, the banner, the Development key, the log.</summary>
public sealed class StartupTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    private static string Version => typeof(EvolutionHubApplication).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0_without_starting_a_server(string help)
    {
        var port = FreePort();
        await using var hub = HubProcess.Start([help, "--urls", $"http://127.0.0.1:{port}"]);

        Assert.Equal(0, await hub.WaitForExitAsync(Exit, "--help to exit (not to start a server)"));

        var usage = string.Join('\n', hub.StandardOutput);
        foreach (var expected in new[] { "Usage: dotnet EvolutionHub.Hub.dll", "--urls", "--version", "AUTHENTICATION_API_KEY", "Authentication:ApiKey", "REDIS_URI", "HUB_DATA_PATH", "ASPNETCORE_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            Assert.Contains(expected, usage, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Now listening", usage, StringComparison.Ordinal);
        Assert.Empty(hub.StandardError);
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        await using var hub = HubProcess.Start(["--version"]);

        Assert.Equal(0, await hub.WaitForExitAsync(Exit, "--version to exit"));

        Assert.Equal([$"EvolutionHub {Version}"], hub.StandardOutput);
    }

    [Fact]
    public async Task A_busy_port_is_one_line_on_stderr_and_exit_1_without_a_stack_trace()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}";
        await using var hub = HubProcess.Start(["--urls", url], new Dictionary<string, string> { ["AUTHENTICATION_API_KEY"] = "k" });

        Assert.Equal(1, await hub.WaitForExitAsync(Exit, "the hub to give up on a busy port"));

        var error = Assert.Single(hub.StandardError);
        Assert.StartsWith("EvolutionHub could not start: ", error);
        Assert.Contains($"Failed to bind to address {url}: address already in use", error, StringComparison.Ordinal);
        AssertNoStackTrace(hub);
    }

    [Fact]
    public async Task A_database_that_cannot_be_created_is_one_line_on_stderr_too()
    {
        var file = Path.GetTempFileName();
        await using var hub = HubProcess.Start(
            ["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["AUTHENTICATION_API_KEY"] = "k", ["HUB_DATA_PATH"] = Path.Combine(file, "hub.db") });

        Assert.Equal(1, await hub.WaitForExitAsync(Exit, "the hub to give up on a database under a file"));

        Assert.StartsWith("EvolutionHub could not start: ", Assert.Single(hub.StandardError));
        AssertNoStackTrace(hub);
    }

    [Fact]
    public async Task The_banner_says_version_URLs_mode_storage_CORS_inbound_and_the_Socket_IO_path_in_one_entry()
    {
        var storage = HubServer.NewStoragePath();
        await using var hub = HubProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = "k",
            ["HUB_DATA_PATH"] = storage,
            ["CORS_ORIGIN"] = "https://a.example,https://b.example",
            ["EVOLUTION_BASE_URL"] = "http://127.0.0.1:9/evolution",
            ["SocketIo__Path"] = "/sio/",
        });
        var listening = await hub.WaitForLineAsync(line => line.Contains("Now listening on: ", StringComparison.Ordinal), Exit, "the hub to listen");
        var url = listening[listening.IndexOf("http", StringComparison.Ordinal)..].Trim();

        await hub.WaitForLineAsync(line => line.Contains("dashboard:", StringComparison.Ordinal), Exit, "the banner's last line");

        var lines = hub.StandardOutput.ToList();
        var start = lines.FindIndex(line => line.StartsWith("info: EvolutionHub.Internal.Startup.StartupBanner", StringComparison.Ordinal));
        Assert.True(start >= 0, string.Join('\n', lines));
        var banner = string.Join('\n', lines.Skip(start + 1).Take(8).Select(line => line.Trim()));
        Assert.Equal(
            $"""
            EvolutionHub {Version} started (Production)
            URLs:           {url}
            mode:           single node
            storage:        {storage}
            CORS origins:   https://a.example,https://b.example
            inbound:        http://127.0.0.1:9/evolution
            Socket.IO path: /sio/
            dashboard:      /dashboard, metrics: /metrics
            """.ReplaceLineEndings("\n"),
            banner);
    }

    [Fact]
    public async Task Inbound_forwards_log_no_HttpClient_or_resilience_lines_and_a_client_leaving_mid_forward_logs_no_failure()
    {
        await using var upstream = await Upstream.StartAsync();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentUrl = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        await using var answered = HubProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string> { ["AUTHENTICATION_API_KEY"] = "k", ["EVOLUTION_BASE_URL"] = upstream.BaseUrl });
        await using var hanging = HubProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string> { ["AUTHENTICATION_API_KEY"] = "k", ["EVOLUTION_BASE_URL"] = silentUrl });
        await using var driver = SocketIoDriver.Start();

        // A forward Evolution API answers.
        var ack = await driver.EmitWithAckAsync(await ConnectAsync(driver, "answered", answered), "send_message", new { number = "1", text = "hi" });
        Assert.True(ack[0]!["ok"]!.GetValue<bool>(), ack.ToJsonString());

        // A forward Evolution API never answers, whose client leaves while it is pending: the hub cancels it.
        await driver.EmitAsync(await ConnectAsync(driver, "leaving", hanging), "send_message", new { number = "2", text = "bye" });
        using var request = await silent.AcceptTcpClientAsync().WithTimeout(Exit, "the hub to forward the emit");
        var stream = request.GetStream();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer).AsTask().WithTimeout(Exit, "the forwarded request")));
        }

        await driver.DisconnectAsync("leaving");
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WithTimeout(Exit, "the hub to cancel the forward of the client that left"));

        // Stopping drains the log: every entry written so far is printed before the process exits.
        await driver.DisconnectAsync("answered");
        Assert.Equal(0, await answered.StopAsync(Exit));
        Assert.Equal(0, await hanging.StopAsync(Exit));
        foreach (var hub in new[] { answered, hanging })
        {
            var output = string.Join('\n', hub.StandardOutput);
            Assert.DoesNotContain("System.Net.Http.HttpClient", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Polly", output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
            AssertNoStackTrace(hub);
        }

        static async Task<string> ConnectAsync(SocketIoDriver driver, string name, HubProcess hub)
        {
            var url = (await hub.WaitForListeningAsync(Exit)).ToString().TrimEnd('/');
            var connected = await driver.ConnectAsync(name, url + "/forwarding", new { transports = new[] { "websocket" }, auth = new { apikey = "k" } });
            Assert.True(connected!["connected"]!.GetValue<bool>(), connected.ToJsonString());
            return name;
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Development_keeps_the_key_it_made_up_in_the_data_folder_across_runs()
    {
        var storage = HubServer.NewStoragePath();
        var keyFile = Path.Combine(Path.GetDirectoryName(storage)!, "dev-apikey");
        var development = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["HUB_DATA_PATH"] = storage };

        string first;
        await using (var hub = await HubProcess.StartAsync(development))
        {
            first = KeyPrinted(hub, keyFile);
            await Expect.StatusAsync(await hub.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/instances") { Headers = { { "apikey", first } } }), 200);
        }

        Assert.Equal(first, File.ReadAllText(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        await using (var again = await HubProcess.StartAsync(development))
        {
            Assert.Equal(first, KeyPrinted(again, keyFile));
            await Expect.StatusAsync(await again.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/instances") { Headers = { { "apikey", first } } }), 200);
        }

        static string KeyPrinted(HubProcess hub, string keyFile)
        {
            var prefix = $"EvolutionHub (Development): no Authentication:ApiKey was set, so this run uses the global key kept in {keyFile}: ";
            var line = Assert.Single(hub.StandardOutput, line => line.StartsWith("EvolutionHub (Development)", StringComparison.Ordinal));
            Assert.StartsWith(prefix, line);
            return line[prefix.Length..];
        }
    }

    private static void AssertNoStackTrace(HubProcess hub) =>
        Assert.False(hub.Lines.Any(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal)), hub.Printed);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
