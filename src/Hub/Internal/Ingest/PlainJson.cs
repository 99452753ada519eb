using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// Turns hub method arguments into <see cref="JsonElement"/>s: the JSON protocols bind <c>object</c> as an element already,
/// MessagePack as plain dictionaries, lists and primitives. (Outgoing JSON stays an element: <see cref="JsonElementFormatter"/>
/// writes it for MessagePack.)
/// </summary>
internal static class PlainJson
{
    /// <summary>
    /// A hub method argument (a JsonElement from the JSON protocols, plain objects from MessagePack, a JSON tree or bytes from
    /// the Socket.IO bridge when binary attachments came with it) as JSON; bytes become base64 strings.
    /// </summary>
    public static JsonElement ToElement(object? argument) => argument switch
    {
        JsonElement element => element,
        JsonNode node => JsonSerializer.SerializeToElement(node),
        _ => JsonSerializer.SerializeToElement(Normalize(argument)),
    };

    private static object? Normalize(object? value) => value switch
    {
        null or string or byte[] => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(key => key.ToString() ?? "", key => Normalize(map[key]), StringComparer.Ordinal),
        IEnumerable items => items.Cast<object?>().Select(Normalize).ToList(),
        _ => value,
    };
}
