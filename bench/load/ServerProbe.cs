namespace EvolutionHub.Bench.Load;

/// <summary>Resident memory and CPU time of the server processes under test, read from /proc.</summary>
public sealed class ServerProbe(IReadOnlyList<int> processIds)
{
    private const double ClockTicksPerSecond = 100;

    public long ResidentBytes() => processIds.Sum(processId =>
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
    });

    public double CpuSeconds() => processIds.Sum(processId =>
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    });
}
