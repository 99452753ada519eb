using System.Text.RegularExpressions;

namespace EvolutionHub.Testing;

/// <summary>
/// The hub as its own <c>dotnet EvolutionHub.Hub.dll</c> process, configured through its environment and arguments as an
/// operator would: for what only a process has (its environment, working directory, exit code, signals, what it prints).
/// The in-process host of the hub's tests (<c>HubServer</c>) serves everything else.
/// </summary>
public sealed partial class HubProcess : IAsyncDisposable
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;
    private Uri? _baseUri;
    private HttpClient? _http;

    private HubProcess(ChildProcess process) => _process = process;

    /// <summary>The hub built next to the test assembly (every test project using this host references the hub).</summary>
    public static string Assembly { get; } = Path.Combine(AppContext.BaseDirectory, "EvolutionHub.Hub.dll");

    public string Name => _process.Name;

    /// <summary>The address the hub printed in "Now listening on" (once <see cref="WaitForListeningAsync"/> returned).</summary>
    public Uri BaseUri => _baseUri ?? throw new InvalidOperationException($"{Name} has not been seen listening yet.");

    public HttpClient Http => _http ?? throw new InvalidOperationException($"{Name} has not been seen listening yet.");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <summary>Every line of standard output so far.</summary>
    public IReadOnlyList<string> StandardOutput => _process.StandardOutput;

    /// <summary>Every line of standard error so far.</summary>
    public IReadOnlyList<string> StandardError => _process.StandardError;

    /// <summary>Every line so far, standard output and error together.</summary>
    public IReadOnlyList<string> Lines => _process.Lines;

    /// <summary>The hub's last lines, headed with its name, for failure messages.</summary>
    public string Printed => _process.Output;

    /// <summary>
    /// Starts the hub in Production with a database of its own and a fresh working directory unless
    /// <paramref name="environment"/> or <paramref name="workingDirectory"/> say otherwise; returns at once, for what the
    /// process does before it serves (<c>--help</c>, a failed start).
    /// </summary>
    public static HubProcess Start(
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        string name = "the hub")
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["HUB_DATA_PATH"] = NewDataPath(),
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var process = ChildProcess.Start(
            name,
            "dotnet",
            [Assembly, .. arguments],
            workingDirectory ?? Directory.CreateTempSubdirectory("evolutionhub-cwd").FullName,
            settings);
        return new HubProcess(process);
    }

    /// <summary>
    /// Starts the hub as <see cref="Start"/> does on a free loopback port and returns once it listens, so that every line
    /// printed before "Now listening on" is in <see cref="StandardOutput"/>.
    /// </summary>
    public static async Task<HubProcess> StartAsync(
        IReadOnlyDictionary<string, string> environment,
        string? workingDirectory = null,
        string name = "the hub")
    {
        var settings = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        var hub = Start([], settings, workingDirectory, name);
        try
        {
            await hub.WaitForListeningAsync(ListenTimeout);
            return hub;
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }
    }

    /// <summary>A database path of its own: <c>HUB_DATA_PATH</c> for one hub.</summary>
    public static string NewDataPath() => Path.Combine(Path.GetTempPath(), "evolutionhub-tests", Guid.NewGuid().ToString("N"), "hub.db");

    /// <summary>Waits for "Now listening on" and returns the address; fails with the hub's last lines if it exits first.</summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan timeout)
    {
        var line = await _process.WaitForLineAsync(line => ListeningLine().IsMatch(line), timeout, "Now listening on");
        _baseUri = new Uri(ListeningLine().Match(line).Groups["url"].Value);
        _http ??= new HttpClient { BaseAddress = _baseUri, Timeout = TimeSpan.FromSeconds(20) };
        return _baseUri;
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    /// <summary>The first line (printed so far or later) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what) =>
        _process.WaitForLineAsync(match, timeout, what);

    /// <summary>Waits for the hub to exit by itself; its exit code once its output is read to the end.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout, string what) => _process.WaitForExitAsync(timeout, what);

    /// <summary>SIGKILL, as when the machine dies.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as a service manager or orchestrator stops the hub; SIGKILL after <paramref name="grace"/>. Returns the exit code.</summary>
    public Task<int> StopAsync(TimeSpan grace) => _process.StopAsync(grace);

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
