using System.Collections.Concurrent;
using System.Diagnostics;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// The hub as its own <c>dotnet EvolutionHub.Hub.dll</c> process, for what only a process has: its environment variables
/// (setting them in the test process would reach every other hub the tests start) and its working directory.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private HubProcess(Process process, Uri baseUri, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public int ProcessId => _process.Id;

    /// <summary>The lines the process printed on its standard output so far.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>
    /// Starts the hub on a free loopback port in Production with <paramref name="environment"/> (which may override both);
    /// returns once it listens, so every line printed before "Now listening on" is in <see cref="Output"/>.
    /// </summary>
    public static async Task<HubProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("evolutionhub-cwd").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(EvolutionHubApplication).Assembly.Location);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["HUB_DATA_PATH"] = HubServer.NewStoragePath();
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var output = new ConcurrentQueue<string>();
        try
        {
            var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    output.Enqueue(e.Data);
                }

                if (e.Data?.Contains("Now listening on: ", StringComparison.Ordinal) == true)
                {
                    listening.TrySetResult(e.Data[e.Data.IndexOf("http", StringComparison.Ordinal)..].Trim());
                }
            };
            process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"the hub process exited with {process.ExitCode} before listening"));
            process.EnableRaisingEvents = true;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var address = await listening.Task.WithTimeout(TimeSpan.FromSeconds(30), "the hub process to listen");
            return new HubProcess(process, new Uri(address), output);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            throw;
        }
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
