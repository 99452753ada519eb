using System.Text;
using CsCheck;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>
/// Input generators: random bytes, bytes over a protocol's alphabet, and mutations of valid encodings, which get past the
/// first checks and reach deep into a decoder.
/// </summary>
internal static class Inputs
{
    /// <summary>Bytes the protocols give a meaning to: digits, separators, JSON punctuation, the v3 binary markers.</summary>
    private static readonly byte[] Alphabet = [.. "0123456789:-,/?b[]{}\"\\_ntrufalsepcehodum"u8, 0x1E, 0xFF, 0x00, 0x01, 0x04, 0xC3, 0xA9, 0xF0, 0x9F];

    /// <summary>Numbers that decoders parse: zero, the edges of 32-bit integers, and beyond.</summary>
    private static readonly string[] Numbers = ["0", "1", "9", "10", "100", "-1", "2147483647", "2147483648", "4294967296", "99999999999999999999", "1e400", "0.5"];

    public static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 2000];

    public static readonly Gen<byte[]> AlphabetBytes = Gen.Int[0, Alphabet.Length - 1].Array[0, 2000].Select(indexes => indexes.Select(i => Alphabet[i]).ToArray());

    /// <summary>Random bytes, alphabet bytes and mutations of <paramref name="valid"/>, in equal shares.</summary>
    public static Gen<byte[]> Around(Gen<byte[]> valid) => Gen.OneOf(RandomBytes, AlphabetBytes, Mutated(valid));

    /// <summary>One to four mutations of a valid encoding.</summary>
    public static Gen<byte[]> Mutated(Gen<byte[]> valid) =>
        Gen.Select(valid, Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Int[0, 64], Gen.Int[0, int.MaxValue]).Array[0, 4], Apply);

    private static byte[] Apply(byte[] bytes, (int Operation, int At, int Length, int Value)[] mutations)
    {
        var data = new List<byte>(bytes);
        foreach (var (operation, at, length, value) in mutations)
        {
            var position = data.Count == 0 ? 0 : at % (data.Count + 1);
            var count = Math.Min(length, data.Count - position);
            switch (operation)
            {
                case 0 when position < data.Count:
                    data[position] = (byte)value;
                    break;
                case 1:
                    data.InsertRange(position, Enumerable.Range(0, 1 + (length % 8)).Select(i => Alphabet[(value + i) % Alphabet.Length]));
                    break;
                case 2:
                    data.RemoveRange(position, count);
                    break;
                case 3:
                    data.InsertRange(position, data.GetRange(position, count));
                    break;
                case 4:
                    ReplaceNumber(data, position, Numbers[value % Numbers.Length]);
                    break;
                case 5:
                    data.RemoveRange(position, data.Count - position);
                    break;
                case 6 when position < data.Count:
                    data[position] = Alphabet[value % Alphabet.Length];
                    break;
            }
        }

        return [.. data];
    }

    /// <summary>Replaces the run of digits at or after <paramref name="position"/> (a length, a count, an id) by <paramref name="number"/>.</summary>
    private static void ReplaceNumber(List<byte> data, int position, string number)
    {
        var start = data.FindIndex(position, b => b is >= (byte)'0' and <= (byte)'9');
        if (start < 0)
        {
            return;
        }

        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.ASCII.GetBytes(number));
    }

    /// <summary>Text for packet data: ASCII, accents, emoji (surrogate pairs in UTF-16), JSON-significant characters.</summary>
    public static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char['a', 'z'], 0, 20],
        Gen.String[Gen.Char['a', 'z'], 0, 2000],
        Gen.OneOf("", "é", "🌍", "a\"b", "\\", "ü🌍x", "\u0000", "x\u001ey"));

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("true", "false", "null", "1.5", "-0", "1e3"),
        Text.Select(t => System.Text.Json.JsonSerializer.Serialize(t)));

    /// <summary>
    /// A JSON value a Socket.IO client may send: scalars, arrays, objects and binary placeholders (<c>#</c> stands for the
    /// placeholder's index, numbered in order by <see cref="NumberPlaceholders"/>).
    /// </summary>
    public static readonly Gen<string> Json = Gen.Recursive<string>((depth, json) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Gen.Const("{\"_placeholder\":true,\"num\":#}")),
            (2, json.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Gen.Select(Gen.OneOf("a", "b", "name", "data", "_placeholder", "num").Array[0, 3], json.Array[3], (keys, values) =>
                "{" + string.Join(",", keys.Distinct().Select((key, i) => $"\"{key}\":{values[i]}")) + "}"))));

    /// <summary>Numbers the <c>#</c> placeholders in order; returns the JSON and how many there are.</summary>
    public static (string Json, int Placeholders) NumberPlaceholders(string json)
    {
        var result = new StringBuilder();
        var count = 0;
        foreach (var c in json)
        {
            if (c == '#')
            {
                result.Append(count++);
            }
            else
            {
                result.Append(c);
            }
        }

        return (result.ToString(), count);
    }
}
