namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>
/// Tests that measure the process's memory run in this collection, alone: no other test allocates meanwhile, so a bound
/// in the assertion tells the attack's cost apart from what the process does anyway.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "memory measurement";

    /// <summary>Bytes allocated by every thread of the process so far.</summary>
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: true);

    /// <summary>Bytes the heap holds after a full collection.</summary>
    public static long RetainedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
