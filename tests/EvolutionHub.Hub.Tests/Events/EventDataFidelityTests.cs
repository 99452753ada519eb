using System.Collections;
using System.Text.Json;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Testing;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>README "Clients" › "SignalR": an event's <c>data</c> is the publisher's JSON; its numbers arrive unchanged on every protocol.</summary>
public sealed class EventDataFidelityTests
{
    private const string Data = """{"n":1.10,"big":12345678901234567890123,"i":42,"neg":-7,"e":1e3}""";
    private static readonly string Body = $$"""{"event":"CALL","instance":"nums","data":{{Data}}}""";

    [Fact]
    public async Task SocketIo_clients_get_the_number_text_as_published()
    {
        await using var hub = await HubServer.StartAsync();
        var result = await NodeScript.RunAsync("hub/socketio-listen.mjs", TimeSpan.FromSeconds(40), JsonSerializer.Serialize(new
        {
            url = hub.BaseUri.ToString().TrimEnd('/'),
            @namespace = "/nums",
            auth = new { apikey = HubServer.GlobalKey },
            transports = new[] { "websocket" },
            rawEvents = true,
            events = new[] { "call" },
            expect = 1,
            publish = new { url = hub.Url("/api/events").ToString(), apikey = HubServer.GlobalKey, rawBody = Body },
        }));

        var raw = Assert.Single(result.GetProperty("raw").EnumerateArray()).GetString()!;
        Assert.Contains($"\"data\":{Data},", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalR_json_clients_get_the_number_text_as_published()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "nums");

        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, Body), 202);

        Assert.Equal(Data, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task SignalR_messagepack_clients_get_integers_as_integers_and_other_numbers_as_doubles()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey, messagePack: true);
        var received = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<object?>("call", envelope => received.TrySetResult(envelope));
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "nums");

        await Expect.StatusAsync(await hub.SendAsync(HttpMethod.Post, "/api/events", HubServer.GlobalKey, Body), 202);

        var envelope = Assert.IsAssignableFrom<IDictionary>(await received.Task.WithTimeout(TimeSpan.FromSeconds(15), "the MessagePack event"));
        var data = Assert.IsAssignableFrom<IDictionary>(envelope["data"]);
        Assert.Equal(1.10, Assert.IsType<double>(data["n"]));
        Assert.Equal(12345678901234567890123d, Assert.IsType<double>(data["big"]));
        Assert.Equal(1000d, Assert.IsType<double>(data["e"]));
        Assert.False(data["i"] is double or float, $"42 arrived as {data["i"]?.GetType()}");
        Assert.Equal(42L, Convert.ToInt64(data["i"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(-7L, Convert.ToInt64(data["neg"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(data["neg"] is double or float, $"-7 arrived as {data["neg"]?.GetType()}");
    }

    [Fact]
    public void The_MessagePack_formatter_reads_back_what_it_writes()
    {
        const string json = """{"a":[1,-2,1.5,"s",true,null,{"b":18446744073709551615,"c":-9223372036854775808}],"e":{}}""";
        var options = JsonElementFormatter.AddTo(MessagePackSerializerOptions.Standard);
        var bytes = MessagePackSerializer.Serialize(JsonDocument.Parse(json).RootElement, options);

        Assert.Equal(json, MessagePackSerializer.Deserialize<JsonElement>(bytes, options).GetRawText());
        var plain = Assert.IsAssignableFrom<IDictionary>(MessagePackSerializer.Deserialize<object>(bytes, MessagePackSerializerOptions.Standard));
        Assert.Equal(1.5, Assert.IsType<double>(((object[])plain["a"]!)[2]));
    }
}
