using System.Collections;
using System.Text.Json;

namespace EvolutionHub.Internal;

/// <summary>
/// Converts between <see cref="JsonElement"/> and plain dictionaries, lists and primitives: the one shape that the JSON,
/// MessagePack and Socket.IO hub protocols all serialise as the same JSON value.
/// </summary>
public static class PlainJson
{
    public static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (map, property) => { map[property.Name] = ToPlain(property.Value); return map; }),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer
            : element.TryGetUInt64(out var unsigned) ? unsigned
            : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>A hub method argument (a JsonElement from the JSON protocols, plain objects from MessagePack) as JSON.</summary>
    public static JsonElement ToElement(object? argument) =>
        argument is JsonElement element ? element : JsonSerializer.SerializeToElement(Normalize(argument));

    private static object? Normalize(object? value) => value switch
    {
        null or string or byte[] => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(key => key.ToString() ?? "", key => Normalize(map[key]), StringComparer.Ordinal),
        IEnumerable items => items.Cast<object?>().Select(Normalize).ToList(),
        _ => value,
    };
}
