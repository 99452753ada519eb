using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

public sealed class SignalREventTests
{
    public static TheoryData<HttpTransportType, bool> TransportsAndProtocols => new()
    {
        { HttpTransportType.WebSockets, false },
        { HttpTransportType.WebSockets, true },
        { HttpTransportType.ServerSentEvents, false },
        { HttpTransportType.LongPolling, false },
        { HttpTransportType.LongPolling, true },
    };

    [Theory]
    [MemberData(nameof(TransportsAndProtocols))]
    public async Task Subscriber_receives_the_contract_envelope_under_the_wire_name(HttpTransportType transport, bool messagePack)
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey, transport, messagePack);
        var events = new EventRecorder(connection, "messages.upsert");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "shop");

        await hub.PublishAsync(new
        {
            @event = "MESSAGES_UPSERT",
            instance = "shop",
            data = new { key = new { id = "M1", fromMe = false }, count = 3, ratio = 0.5, tags = new object?[] { "a", null, true } },
            server_url = "https://evo.example.com",
            date_time = "2026-11-27T10:00:00.000Z",
            sender = "5511999999999@s.whatsapp.net",
            destination = "https://dropped.example.com",
            apikey = "publisher-key",
        });

        var envelope = await events.NextEnvelopeAsync("messages.upsert");
        Assert.Equal(
            ["data", "date_time", "event", "instance", "sender", "server_url"],
            envelope.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("messages.upsert", envelope.GetProperty("event").GetString());
        Assert.Equal("shop", envelope.GetProperty("instance").GetString());
        Assert.Equal("https://evo.example.com", envelope.GetProperty("server_url").GetString());
        Assert.Equal("2026-11-27T10:00:00.000Z", envelope.GetProperty("date_time").GetString());
        Assert.Equal("5511999999999@s.whatsapp.net", envelope.GetProperty("sender").GetString());
        Assert.Equal("""{"key":{"id":"M1","fromMe":false},"count":3,"ratio":0.5,"tags":["a",null,true]}""", envelope.GetProperty("data").GetRawText());
    }

    [Theory]
    [InlineData("messages.upsert", "messages.upsert")]
    [InlineData("MESSAGES_UPSERT", "messages.upsert")]
    [InlineData("messages-upsert", "messages.upsert")]
    [InlineData("group-participants-update", "group-participants.update")]
    [InlineData("GROUP_PARTICIPANTS_UPDATE", "group-participants.update")]
    [InlineData("groups-update", "groups.update")]
    [InlineData("GROUPS_UPDATE", "groups.update")]
    [InlineData("TYPEBOT_CHANGE_STATUS", "typebot.change-status")]
    [InlineData("send-message-update", "send.message.update")]
    [InlineData("My.Custom-Event", "my.custom-event")]
    public async Task Event_names_arrive_as_the_wire_name(string published, string wire)
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, wire);
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "names");

        await hub.PublishAsync(new { @event = published, instance = "names", data = new { } });

        Assert.Equal(wire, (await events.NextEnvelopeAsync(wire)).GetProperty("event").GetString());
    }

    [Fact]
    public async Task Apikey_is_stripped_unless_forwarding_is_on()
    {
        await using var stripping = await HubServer.StartAsync();
        await using var forwarding = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:ForwardApiKey"] = "true" });
        foreach (var (hub, expected) in new[] { (stripping, (string?)null), (forwarding, "publisher-key") })
        {
            await using var connection = hub.SignalR(HubServer.GlobalKey);
            var events = new EventRecorder(connection, "call");
            await connection.StartAsync();
            await connection.InvokeAsync("Subscribe", "keys");
            await hub.PublishAsync(new { @event = "CALL", instance = "keys", data = new { }, apikey = "publisher-key" });
            var envelope = await events.NextEnvelopeAsync("call");
            Assert.Equal(expected, envelope.TryGetProperty("apikey", out var apikey) ? apikey.GetString() : null);
        }
    }

    [Fact]
    public async Task A_forwarded_apikey_is_never_the_global_key()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:ForwardApiKey"] = "true" });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "keys");
        await hub.PublishAsync(new { @event = "CALL", instance = "keys", data = new { }, apikey = HubServer.GlobalKey });
        var envelope = await events.NextEnvelopeAsync("call");
        Assert.True(envelope.TryGetProperty("apikey", out var apikey));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, apikey.ValueKind);
    }

    [Fact]
    public async Task Events_of_one_instance_arrive_in_the_order_accepted()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "messages.upsert");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "ordered");

        const int count = 300;
        for (var batch = 0; batch < 3; batch++)
        {
            await hub.PublishAsync([.. Enumerable.Range(batch * 100, 100).Select(i => (object)new { @event = "messages.upsert", instance = "ordered", data = new { seq = i } })]);
        }

        for (var expected = 0; expected < count; expected++)
        {
            var envelope = await events.NextEnvelopeAsync("messages.upsert");
            Assert.Equal(expected, envelope.GetProperty("data").GetProperty("seq").GetInt32());
        }
    }

    [Fact]
    public async Task Filters_pass_only_the_listed_events_and_disabled_passes_none()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "connection.update", "messages.upsert", "custom.event");
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "filtered");
        await connection.InvokeAsync("Subscribe", "off");

        // Never had settings: every event, names outside the table included.
        await hub.PublishAsync(new { @event = "custom.event", instance = "filtered", data = new { n = 0 } });
        Assert.Equal("custom.event", (await events.NextAsync()).Target);

        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/filtered", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "MESSAGES_UPSERT" } } }), 201);
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/off", HubServer.GlobalKey, new { websocket = new { enabled = false, events = new[] { "MESSAGES_UPSERT" } } }), 201);
        await hub.PublishAsync(
            new { @event = "CONNECTION_UPDATE", instance = "filtered", data = new { n = 1 } },
            new { @event = "custom.event", instance = "filtered", data = new { n = 2 } },
            new { @event = "MESSAGES_UPSERT", instance = "off", data = new { n = 3 } },
            new { @event = "MESSAGES_UPSERT", instance = "filtered", data = new { n = 4 } });

        var (target, envelope) = await events.NextAsync("the one event the filter passes");
        Assert.Equal("messages.upsert", target);
        Assert.Equal(4, envelope.GetProperty("data").GetProperty("n").GetInt32());

        // "off" shares no ordering with "filtered": prove nothing of it is queued by sending a later event on the same instance.
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/off", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { "CONNECTION_UPDATE" } } }), 201);
        await hub.PublishAsync(new { @event = "CONNECTION_UPDATE", instance = "off", data = new { n = 5 } });
        Assert.Equal(5, (await events.NextEnvelopeAsync("connection.update")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Global_subscribers_get_every_instance_unfiltered_when_global_events_are_on()
    {
        await using var hub = await HubServer.StartAsync(new Dictionary<string, string?> { ["Websocket:GlobalEvents"] = "true" });
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "messages.upsert");
        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeGlobal");
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/muted", HubServer.GlobalKey, new { websocket = new { enabled = false } }), 201);

        await hub.PublishAsync(new { @event = "MESSAGES_UPSERT", instance = "muted", data = new { } });
        Assert.Equal("muted", (await events.NextEnvelopeAsync("messages.upsert")).GetProperty("instance").GetString());
        await hub.PublishAsync(new { @event = "MESSAGES_UPSERT", instance = "other", data = new { } });
        Assert.Equal("other", (await events.NextEnvelopeAsync("messages.upsert")).GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Global_subscribers_get_nothing_when_global_events_are_off()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "messages.upsert");
        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeGlobal");
        await connection.InvokeAsync("Subscribe", "one");

        // With global delivery each event would arrive twice (instance group, then global group) before the next.
        await hub.PublishAsync(
            new { @event = "MESSAGES_UPSERT", instance = "one", data = new { n = 1 } },
            new { @event = "MESSAGES_UPSERT", instance = "one", data = new { n = 2 } });
        Assert.Equal(1, (await events.NextEnvelopeAsync("messages.upsert")).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(2, (await events.NextEnvelopeAsync("messages.upsert")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        await using var witness = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, "call");
        var witnessed = new EventRecorder(witness, "call");
        await Task.WhenAll(connection.StartAsync(), witness.StartAsync());
        await witness.InvokeAsync("Subscribe", "a");
        await connection.InvokeAsync("Subscribe", "a");
        await connection.InvokeAsync("Unsubscribe", "a");

        await hub.PublishAsync(new { @event = "CALL", instance = "a", data = new { n = 1 } });
        Assert.Equal(1, (await witnessed.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
        await connection.InvokeAsync("Subscribe", "a");
        await hub.PublishAsync(new { @event = "CALL", instance = "a", data = new { n = 2 } });
        Assert.Equal(2, (await events.NextEnvelopeAsync("call")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publish_over_SignalR_needs_the_global_key(bool messagePack)
    {
        await using var hub = await HubServer.StartAsync();
        await hub.RegisterAsync("pub", "pub-token-0123456789");
        await using var publisher = hub.SignalR(HubServer.GlobalKey, messagePack: messagePack);
        await using var instancePublisher = hub.SignalR("pub-token-0123456789", messagePack: messagePack);
        await using var listener = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(listener, "chats.update");
        await Task.WhenAll(publisher.StartAsync(), instancePublisher.StartAsync(), listener.StartAsync());
        await listener.InvokeAsync("Subscribe", "pub");

        var denied = await Assert.ThrowsAsync<HubException>(() =>
            instancePublisher.InvokeAsync("Publish", new Dictionary<string, object?> { ["event"] = "CHATS_UPDATE", ["instance"] = "pub", ["data"] = null }));
        Assert.Contains("Unauthorized", denied.Message);

        await publisher.InvokeAsync("Publish", new Dictionary<string, object?> { ["event"] = "CHATS_UPDATE", ["instance"] = "pub", ["data"] = new Dictionary<string, object?> { ["n"] = 7 } });
        Assert.Equal(7, (await events.NextEnvelopeAsync("chats.update")).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(HubConnectionState.Connected, instancePublisher.State);
    }
}
