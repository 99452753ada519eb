namespace EvolutionHub.Internal;

/// <summary>Instance names double as Socket.IO namespaces: 1–128 characters without <c>/ ? # ,</c> or control characters.</summary>
public static class InstanceNames
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && !name.Any(c => c is '/' or '?' or '#' or ',' || char.IsControl(c));
}
