using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EvolutionHub.Testing;

/// <summary>
/// A process a test started (the hub, redis-server, nginx, Node.js): every line it printed kept for assertions and failure
/// messages, waited for by line, stopped with SIGTERM and killed on dispose — or when the test run exits, whatever happened
/// to the test.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int LinesInMessages = 200;

    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly Action<string>? _onStandardOutput;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<string> _printed = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    };

    private ChildProcess(string name, Process process, Action<string>? onStandardOutput)
    {
        Name = name;
        _process = process;
        _onStandardOutput = onStandardOutput;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdout);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderr);
        _process.Start();
        Running[_process.Id] = _process;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Every line of standard output so far.</summary>
    public IReadOnlyList<string> StandardOutput => Snapshot(_stdout);

    /// <summary>Every line of standard error so far.</summary>
    public IReadOnlyList<string> StandardError => Snapshot(_stderr);

    /// <summary>Every line so far, standard output and error in the order they were read.</summary>
    public IReadOnlyList<string> Lines => Snapshot(_printed);

    /// <summary>The last lines the process printed, joined.</summary>
    public string Printed
    {
        get
        {
            lock (_printed)
            {
                return string.Join('\n', _printed.TakeLast(LinesInMessages));
            }
        }
    }

    /// <summary>The last lines the process printed, headed with its name, for failure messages.</summary>
    public string Output => $"--- last output of {Name} ---\n{Printed}";

    /// <summary>
    /// Starts <paramref name="fileName"/>. With <paramref name="redirectInput"/> its standard input is open for
    /// <see cref="WriteLineAsync"/>; <paramref name="onStandardOutput"/> sees each line of standard output as it is read.
    /// </summary>
    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        bool redirectInput = false,
        Action<string>? onStandardOutput = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new ChildProcess(name, new Process { StartInfo = start }, onStandardOutput);
    }

    /// <summary>Writes one line to the process's standard input (started with <c>redirectInput</c>).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the process's standard input: a process reading it sees its end.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the process to exit by itself; returns its exit code once its output is read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string? what = null)
    {
        try
        {
            await _process.WaitForExitAsync().WithTimeout(timeout, what ?? $"{Name} to exit");
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\n{Output}");
        }

        // The asynchronous readers may still hold the last lines: this overload waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The first line (printed so far or later) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_printed)
        {
            if (_printed.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            _waiters.Add((match, found));
        }

        return WaitAsync();

        async Task<string> WaitAsync()
        {
            var exited = _process.WaitForExitAsync();
            try
            {
                var done = await Task.WhenAny(found.Task, exited).WithTimeout(timeout, $"{Name} to print {what}");
                if (done == found.Task)
                {
                    return await found.Task;
                }

                _process.WaitForExit();
                return found.Task.IsCompleted
                    ? await found.Task
                    : throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before printing {what}.\n{Output}");
            }
            catch (TimeoutException exception)
            {
                throw new TimeoutException($"{exception.Message}\n{Output}");
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await KillAsync();
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }

    private static IReadOnlyList<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private void OnLine(string? line, List<string> stream)
    {
        if (line is null)
        {
            return;
        }

        lock (stream)
        {
            stream.Add(line);
        }

        if (stream == _stdout)
        {
            _onStandardOutput?.Invoke(line);
        }

        lock (_printed)
        {
            _printed.Add(line);
            foreach (var waiter in _waiters.Where(waiter => waiter.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Found.TrySetResult(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
