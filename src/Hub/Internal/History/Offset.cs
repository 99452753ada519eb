using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EvolutionHub.Internal.History;

/// <summary>
/// An offset: <c>{milliseconds}-{sequence}</c>, as Redis stream ids are written. Offsets are issued by one clock for every
/// stream (the node's, or the farm's in Redis), so an offset names one event across every instance's stream.
/// </summary>
internal readonly record struct Offset(long Milliseconds, long Sequence) : IComparable<Offset>
{
    public static Offset Zero { get; } = new(0, 0);

    public static bool TryParse([NotNullWhen(true)] string? text, out Offset offset)
    {
        offset = Zero;
        var dash = text?.IndexOf('-') ?? -1;
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        offset = new Offset(milliseconds, sequence);
        return true;
    }

    /// <summary>Orders two offset texts; one that cannot be read comes first.</summary>
    public static int Compare(string left, string right)
    {
        TryParse(left, out var a);
        TryParse(right, out var b);
        return a.CompareTo(b);
    }

    /// <summary>The next offset at <paramref name="milliseconds"/>: never before this one.</summary>
    public Offset Next(long milliseconds) => milliseconds > Milliseconds ? new Offset(milliseconds, 0) : new Offset(Milliseconds, Sequence + 1);

    public int CompareTo(Offset other) => Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
