using System.Text.Json;
using System.Text.Unicode;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Instances;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// Finds a webhook body's top-level <c>apikey</c> and <c>instance</c> with a forward-only reader, allocating nothing but the
/// two strings, so that a body whose sender has no credential costs no document. Values that are not strings are skipped; a
/// property given twice counts by its last value, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> reads
/// it; values longer than any key or instance name can be are read as unusable rather than copied.
/// </summary>
internal static class WebhookCredentialScan
{
    private const int MaxKeyBytes = 4096;

    // An instance name is at most 128 characters, each at most 12 bytes escaped (a surrogate pair as two \uXXXX).
    private const int MaxInstanceBytes = InstanceNames.MaxLength * 12;

    /// <summary>False when the body is not JSON (UTF-8 throughout); an unusable key comes back as <see cref="UnusableKey"/>, an unusable instance as null.</summary>
    public static bool TryScan(ReadOnlySpan<byte> body, out string? apiKey, out string? instance)
    {
        apiKey = null;
        instance = null;
        if (!Utf8.IsValid(body))
        {
            return false;
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return reader.TrySkip() && AtEnd(ref reader);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals(ApiKeys.Name);
                var isInstance = !isKey && reader.ValueTextEquals("instance");
                reader.Read();
                if (isKey)
                {
                    apiKey = reader.TokenType == JsonTokenType.String ? ReadString(ref reader, MaxKeyBytes) ?? UnusableKey : null;
                }
                else if (isInstance)
                {
                    instance = reader.TokenType == JsonTokenType.String ? ReadString(ref reader, MaxInstanceBytes) : null;
                }

                reader.Skip();
            }

            return reader.TokenType == JsonTokenType.EndObject && AtEnd(ref reader);
        }
        catch (JsonException)
        {
            apiKey = null;
            instance = null;
            return false;
        }
    }

    /// <summary>Stands for a key too long to be any key: it resolves to no credential.</summary>
    public const string UnusableKey = "\0unusable";

    private static string? ReadString(ref Utf8JsonReader reader, int maxBytes) =>
        (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) <= maxBytes ? reader.GetString() : null;

    private static bool AtEnd(ref Utf8JsonReader reader) => !reader.Read();
}
