using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>Hub methods of every parameter shape the bridge binds: typed, binary, untyped trees, JSON elements.</summary>
internal sealed class HubBinder : IInvocationBinder
{
    public static readonly string[] Methods = ["Echo", "Add", "Upload", "Tree", "Json", "Many", "OnAny", "OnAnyJson"];

    public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName switch
    {
        "Echo" => [typeof(string)],
        "Add" => [typeof(int), typeof(int)],
        "Upload" => [typeof(byte[]), typeof(Upload)],
        "Tree" => [typeof(object)],
        "Json" => [typeof(JsonElement)],
        "Many" => [typeof(object), typeof(JsonElement), typeof(byte[])],
        "OnAny" => [typeof(string), typeof(object[])],
        "OnAnyJson" => [typeof(string), typeof(JsonElement[])],
        _ => throw new HubException($"Method {methodName} does not exist."),
    };

    public Type GetReturnType(string invocationId) => invocationId switch
    {
        "1" => typeof(object),
        "2" => typeof(JsonElement),
        "3" => typeof(byte[]),
        "4" => typeof(int),
        _ => throw new InvalidOperationException($"No invocation {invocationId}."),
    };

    public Type GetStreamItemType(string streamId) => throw new InvalidOperationException("No streams.");

    public sealed record Upload(string Name, byte[] Data);
}
