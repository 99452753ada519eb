using System.Security.Cryptography;
using System.Text;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// The SHA-256 of an instance token, in hex: what a connection keeps of the token it authenticated with, and how the farm
/// indexes tokens in Redis. Tokens are random secrets, so their hashes can be compared in the open.
/// </summary>
internal static class TokenHash
{
    public static string Of(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
