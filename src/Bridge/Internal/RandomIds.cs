using System.Buffers.Text;
using System.Security.Cryptography;

namespace EvolutionHub.Bridge.Internal;

/// <summary>Engine.IO session ids and Socket.IO socket ids: 15 random bytes in URL-safe base64, 20 characters.</summary>
internal static class RandomIds
{
    private const int IdBytes = 15;

    // One call into the system's generator fills the bytes of 32 ids: a connection takes two or three ids, and each call
    // costs far more than the bytes it returns. Bytes are cleared as they are handed out.
    private const int BatchBytes = 32 * IdBytes;

    [ThreadStatic]
    private static byte[]? t_batch;

    [ThreadStatic]
    private static int t_taken;

    public static string New()
    {
        var batch = t_batch ??= new byte[BatchBytes];
        if (t_taken is 0 or BatchBytes)
        {
            RandomNumberGenerator.Fill(batch);
            t_taken = 0;
        }

        var bytes = batch.AsSpan(t_taken, IdBytes);
        t_taken += IdBytes;
        var id = Base64Url.EncodeToString(bytes);
        bytes.Clear();
        return id;
    }
}
