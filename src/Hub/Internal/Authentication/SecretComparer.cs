using System.Security.Cryptography;
using System.Text;

namespace EvolutionHub.Internal.Authentication;

/// <summary>Compares secrets in time that depends neither on where they differ nor on their lengths.</summary>
internal static class SecretComparer
{
    public static bool Equal(string? expected, string? presented)
    {
        if (string.IsNullOrEmpty(expected) || presented is null)
        {
            return false;
        }

        // Hashing first gives both sides one length: comparing raw bytes would return at once when the lengths differ.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
    }
}
