namespace EvolutionHub.Internal.Instances;

/// <summary>
/// Instance names double as Socket.IO namespaces and as a segment of upstream paths: 1–128 characters without
/// <c>/ ? # ,</c> or control characters, and neither <c>.</c> nor <c>..</c> (which would climb the upstream path).
/// </summary>
internal static class InstanceNames
{
    public const int MaxLength = 128;

    public const string Rule = "a name of 1 to 128 characters without / ? # , or control characters, other than . and ..";

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && name is not ("." or "..")
        && !name.Any(c => c is '/' or '?' or '#' or ',' || char.IsControl(c));
}
