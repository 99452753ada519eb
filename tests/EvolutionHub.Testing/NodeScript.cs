using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace EvolutionHub.Testing;

/// <summary>
/// Runs a script of <c>tests/node</c> with the machine's Node.js. A script prints one JSON line starting with
/// <c>RESULT </c> and exits 0 on success; on failure it exits non-zero and says why on stderr.
/// </summary>
public static class NodeScript
{
    public static string NodeDirectory { get; } = FindNodeDirectory();

    public static async Task<JsonElement> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"node {script} did not finish within {timeout.TotalSeconds} s.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {process.ExitCode}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        var resultLine = stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"node {script} printed no RESULT line.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return JsonDocument.Parse(resultLine["RESULT ".Length..]).RootElement.Clone();
    }

    private static string FindNodeDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "node");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/node was not found above " + AppContext.BaseDirectory);
    }
}
