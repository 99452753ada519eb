using System.Text.Json;

namespace EvolutionHub.Testing;

/// <summary>
/// The tests' one way to run a script of <c>tests/node</c> with the machine's Node.js: to its end (<see cref="RunAsync"/>:
/// the script prints one JSON line starting with <c>RESULT </c> and exits 0 on success; on failure it exits non-zero and
/// says why on stderr), or as a process answering commands on its standard input (<see cref="Start"/>, as
/// <see cref="SocketIoDriver"/> does).
/// </summary>
public static class NodeScript
{
    public static string NodeDirectory { get; } = FindNodeDirectory();

    /// <summary>
    /// Starts <paramref name="script"/> (a path under <c>tests/node</c>) with its standard input open, for a script that
    /// answers commands; <paramref name="onStandardOutput"/> sees each line it prints as it is read.
    /// </summary>
    public static ChildProcess Start(string script, Action<string> onStandardOutput, params string[] arguments) =>
        ChildProcess.Start($"node {script}", "node", [script, .. arguments], NodeDirectory, redirectInput: true, onStandardOutput: onStandardOutput);

    /// <summary>Runs <paramref name="script"/> to its end within <paramref name="timeout"/> and returns its <c>RESULT</c> line's JSON.</summary>
    public static async Task<JsonElement> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        await using var process = ChildProcess.Start($"node {script}", "node", [script, .. arguments], NodeDirectory);
        var exitCode = await process.WaitForExitAsync(timeout, $"node {script} to finish");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {exitCode}.\n{process.Output}");
        }

        var resultLine = process.StandardOutput.LastOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"node {script} printed no RESULT line.\n{process.Output}");
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
