using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// One hub node of a farm: a <see cref="HubProcess"/> on the farm's Redis with the farm's global key, its database in the
/// node's folder, listening on a port it picked itself.
/// </summary>
public sealed partial class HubNode : IAsyncDisposable
{
    public const string GlobalKey = "farm-global-key";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly HubProcess _process;

    private HubNode(string name, HubProcess process)
    {
        Name = name;
        _process = process;
        Http = new HttpClient { BaseAddress = process.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
        Http.DefaultRequestHeaders.Add("apikey", GlobalKey);
    }

    public string Name { get; }

    public Uri BaseUri => _process.BaseUri;

    public int Port => BaseUri.Port;

    /// <summary>Sends the global key with every request.</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <summary>The node's last lines, for assertions on what it printed and for failure messages.</summary>
    public string Output => _process.Printed;

    /// <summary>Starts the node and waits until it listens and, when <paramref name="waitReady"/>, until it is ready.</summary>
    public static async Task<HubNode> StartAsync(string name, string redisUri, string directory, bool waitReady = true,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        Directory.CreateDirectory(directory);
        var environment = new Dictionary<string, string>
        {
            ["AUTHENTICATION_API_KEY"] = GlobalKey,
            ["HUB_DATA_PATH"] = Path.Combine(directory, "data", "evolutionhub.db"),
            ["REDIS_URI"] = redisUri,
            ["Redis__NodeTimeoutSeconds"] = "3",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var node = new HubNode(name, await HubProcess.StartAsync(environment, directory, $"node {name}"));
        try
        {
            if (waitReady)
            {
                await node.WaitReadyAsync(ReadyTimeout);
            }

            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async Task<HttpStatusCode> ReadinessAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health/ready");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    public Task WaitReadyAsync(TimeSpan timeout) =>
        Eventually.UntilAsync(async () => await ReadinessAsync() == HttpStatusCode.OK, timeout, $"node {Name} to report /health/ready 200\n{Output}");

    /// <summary>Publishes through <c>POST /api/events</c> and returns the response (the caller disposes it).</summary>
    public Task<HttpResponseMessage> PostEventsAsync(object body) => Http.PostAsJsonAsync("/api/events", body);

    public async Task PublishAsync(string instance, string eventName, object data)
    {
        using var response = await PostEventsAsync(new { @event = eventName, instance, data });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"publish on node {Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>This node's own open connections, from its <c>/metrics</c> (the sum over protocols and transports).</summary>
    public async Task<int> LocalConnectionsAsync()
    {
        var text = await Http.GetStringAsync("/metrics");
        return ConnectionsGauge().Matches(text).Sum(match => int.Parse(match.Groups["n"].Value));
    }

    /// <summary>The first line of the node's output (printed so far or later) containing <paramref name="text"/>.</summary>
    public Task<string> WaitForOutputAsync(string text, TimeSpan timeout) =>
        _process.WaitForLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout, $"\"{text}\"");

    /// <summary>SIGKILL, as when the machine dies.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as an orchestrator stops a node; SIGKILL after <paramref name="grace"/>. Returns the exit code.</summary>
    public async Task<int?> StopAsync(TimeSpan grace) => await _process.StopAsync(grace);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"^evolutionhub_connections(\{[^}]*\})? (?<n>\d+)", RegexOptions.Multiline)]
    private static partial Regex ConnectionsGauge();
}
