using System.Collections.Concurrent;
using System.Diagnostics;
using EvolutionHub.Testing;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// <c>dotnet EvolutionHub.Hub.dll</c> with the given arguments, its standard output and error kept apart: for what the
/// process itself does before and after it serves (<c>--help</c>, a failed start, the banner, a stop on SIGTERM).
/// </summary>
public sealed class HubCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubCommand(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        _process.Exited += (_, _) => _exited.TrySetResult();
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public string Printed => $"--- stdout ---\n{string.Join('\n', _stdout)}\n--- stderr ---\n{string.Join('\n', _stderr)}";

    /// <summary>Starts the hub in Production with its own database and <paramref name="environment"/> (which may override both).</summary>
    public static HubCommand Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("evolutionhub-cwd").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(EvolutionHubApplication).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["HUB_DATA_PATH"] = HubServer.NewStoragePath();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new HubCommand(Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started"));
    }

    /// <summary>Waits for the process to exit by itself; the exit code once its output is read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string what)
    {
        try
        {
            await _exited.Task.WithTimeout(timeout, what);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\n{Printed}");
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Waits for a line of standard output that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        string? line = null;
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult((line = _stdout.FirstOrDefault(match)) is not null || _process.HasExited), timeout, what);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\n{Printed}");
        }

        return line ?? throw new InvalidOperationException($"The hub exited before {what}.\n{Printed}");
    }

    /// <summary>SIGTERM, as a service manager stops the hub; returns the exit code once it has stopped.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout, "the hub to stop on SIGTERM");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
