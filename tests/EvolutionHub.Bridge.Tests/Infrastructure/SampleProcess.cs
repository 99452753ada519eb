using System.Diagnostics;
using EvolutionHub.Testing;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>samples/SignalRChat's built program, started on a free loopback port.</summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<SampleProcess> StartAsync()
    {
        var program = Path.Combine(Path.GetDirectoryName(NodeScript.NodeDirectory)!, "..", "samples", "SignalRChat", "bin", "Release", "net10.0", "SignalRChat.dll");
        if (!File.Exists(program))
        {
            throw new FileNotFoundException(
                "samples/SignalRChat is not built: ./test.sh packs src/Bridge into artifacts/packages and builds the sample against it before the tests run.", program);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            const string marker = "Now listening on: ";
            if (e.Data?.IndexOf(marker, StringComparison.Ordinal) is >= 0 and var at)
            {
                listening.TrySetResult(new Uri(e.Data[(at + marker.Length)..].Trim()));
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"samples/SignalRChat exited with {process.ExitCode} before listening"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new SampleProcess(process, await listening.Task.WithTimeout(TimeSpan.FromSeconds(30), "samples/SignalRChat to listen"));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
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
