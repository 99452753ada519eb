using System.Security.Cryptography;
using System.Text;

namespace EvolutionHub.Internal;

/// <summary>Compares secrets in time that does not depend on where they differ.</summary>
public static class SecretComparer
{
    public static bool Equal(string? expected, string? presented)
    {
        if (string.IsNullOrEmpty(expected) || presented is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
    }
}
