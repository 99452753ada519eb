namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// Bounds of the farm tests' waits. Generous: the farm's processes share two cores with the other test projects, and a
/// bound only ever costs time when something is already wrong.
/// </summary>
public static class Timeouts
{
    /// <summary>A Socket.IO client to connect (the first command of a driver also starts Node.js).</summary>
    public const int ConnectMs = 20000;

    /// <summary>An event to arrive.</summary>
    public const int EventMs = 15000;

    public static TimeSpan Event { get; } = TimeSpan.FromMilliseconds(EventMs);
}
