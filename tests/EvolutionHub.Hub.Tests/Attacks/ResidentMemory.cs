using System.Globalization;

namespace EvolutionHub.Hub.Tests.Attacks;

/// <summary>
/// Samples a process's resident memory (VmRSS of /proc) every few milliseconds from the moment it is created, so that a
/// test can bound how much an attack made the node grow at its peak, not only where it ended.
/// </summary>
public sealed class ResidentMemory : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly string _statusPath;
    private readonly long _baseline;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public ResidentMemory(int processId)
    {
        _statusPath = $"/proc/{processId}/status";
        _baseline = Read() ?? throw new InvalidOperationException($"{_statusPath} has no VmRSS");
        _peak = _baseline;
        _sampling = SampleAsync();
    }

    /// <summary>The largest growth over the first sample seen so far, in MiB.</summary>
    public double PeakGrowthMiB => (Interlocked.Read(ref _peak) - _baseline) / 1024.0 / 1024.0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    public void AssertPeakGrowthBelow(double mebibytes, string attack) =>
        Assert.True(PeakGrowthMiB < mebibytes, $"{attack}: the node's resident memory grew by {PeakGrowthMiB:F0} MiB at its peak (allowed {mebibytes:F0} MiB)");

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (Read() is { } bytes && bytes > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, bytes);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private long? Read()
    {
        try
        {
            foreach (var line in File.ReadLines(_statusPath))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kibibytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kibibytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process has exited: the growth recorded so far stands, and the test sees the exit on its own.
        }

        return null;
    }
}
