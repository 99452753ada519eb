using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>The Docker image's files, run as far as this machine (which has no Docker) can: the health check script itself.</summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(NodeScript.NodeDirectory, "..", ".."));

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://+:{port}")]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:{port}/;http://+:1")]
    [InlineData("ASPNETCORE_URLS", "http://[::]:{port}")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{port}")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{port}")]
    public async Task The_images_health_check_asks_the_port_the_hub_listens_on(string variable, string value)
    {
        await using var hub = await HubServer.StartAsync();
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        Assert.Equal(0, await HealthCheckAsync(variable, value.Replace("{port}", hub.BaseUri.Port.ToString(), StringComparison.Ordinal)));
        Assert.NotEqual(0, await HealthCheckAsync(variable, value.Replace("{port}", closedPort.ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public void The_Dockerfile_health_check_is_the_script_and_names_no_port()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var healthCheck = dockerfile[dockerfile.IndexOf("HEALTHCHECK", StringComparison.Ordinal)..];
        healthCheck = healthCheck[..healthCheck.IndexOf('\n', healthCheck.IndexOf("CMD", StringComparison.Ordinal))];

        Assert.Contains("CMD [\"evolutionhub-healthcheck\"]", healthCheck, StringComparison.Ordinal);
        Assert.DoesNotContain("8090", healthCheck, StringComparison.Ordinal);
        Assert.Contains("COPY --chmod=755 docker/healthcheck.sh /usr/local/bin/evolutionhub-healthcheck", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_appsettings_turn_the_request_diagnostics_of_ASP_NET_Core_off()
    {
        // At any level they are on, every request gets an Activity and a log scope, which a WebSocket keeps for its life.
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "appsettings.json")));
        var levels = settings.RootElement.GetProperty("Logging").GetProperty("LogLevel");

        Assert.Equal("None", levels.GetProperty("Microsoft.AspNetCore.Hosting.Diagnostics").GetString());
    }

    private static async Task<int> HealthCheckAsync(string variable, string value)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "docker", "healthcheck.sh"));
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(10), "the health check script");
        return process.ExitCode;
    }
}
