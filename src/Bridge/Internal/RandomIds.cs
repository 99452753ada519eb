using System.Buffers.Text;
using System.Security.Cryptography;

namespace EvolutionHub.Bridge.Internal;

/// <summary>Engine.IO session ids and Socket.IO socket ids: 15 random bytes in URL-safe base64, 20 characters.</summary>
internal static class RandomIds
{
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
