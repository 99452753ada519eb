using System.Text.Json;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Testing;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// SignalR <c>Publish</c> binds its envelope as JSON on MessagePack too: what a MessagePack publisher sends reaches listeners
/// as the JSON that binding the argument as <c>object</c> and serializing it would give.
/// </summary>
public sealed class MessagePackPublishTests
{
    private static readonly DateTime When = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);

    [Fact]
    public async Task A_MessagePack_publisher_s_floats_timestamps_and_bytes_reach_JSON_listeners_as_plain_JSON()
    {
        await using var hub = await HubServer.StartAsync();
        await using var publisher = hub.SignalR(HubServer.GlobalKey, messagePack: true);
        await using var listener = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(listener, "call");
        await Task.WhenAll(publisher.StartAsync(), listener.StartAsync());
        await listener.InvokeAsync("Subscribe", "mp");

        // The .NET client writes a float as float32, a DateTime as a timestamp extension and bytes as binary.
        await publisher.InvokeAsync("Publish", new Dictionary<string, object?>
        {
            ["event"] = "CALL",
            ["instance"] = "mp",
            ["data"] = new Dictionary<string, object?> { ["f"] = 1.1f, ["d"] = 2.5, ["when"] = When, ["bytes"] = new byte[] { 1, 2, 3 }, ["list"] = new object?[] { 1, null, "x" } },
        });

        Assert.Equal(
            """{"f":1.1,"d":2.5,"when":"2024-05-06T07:08:09.123Z","bytes":"AQID","list":[1,null,"x"]}""",
            (await events.NextEnvelopeAsync("call")).GetProperty("data").GetRawText());
    }

    [Fact]
    public void The_formatter_reads_MessagePack_as_the_JSON_of_its_plain_objects()
    {
        var value = new Dictionary<object, object?>
        {
            ["float32"] = 0.1f,
            ["float64"] = 0.1,
            ["timestamp"] = When,
            ["bytes"] = new byte[] { 255, 0 },
            [7] = new object?[] { -1, ulong.MaxValue, true, null, new Dictionary<object, object?> { ["nested"] = 3.25f } },
        };
        var bytes = MessagePackSerializer.Serialize<object>(value, MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance));
        var options = JsonElementFormatter.AddTo(MessagePackSerializerOptions.Standard);

        var plain = PlainJson.ToElement(MessagePackSerializer.Deserialize<object>(bytes, options));
        var element = MessagePackSerializer.Deserialize<JsonElement>(bytes, options);

        Assert.Equal(plain.GetRawText(), element.GetRawText());
    }
}
