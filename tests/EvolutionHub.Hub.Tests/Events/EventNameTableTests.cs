using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>Evolution's event name table (README "Concepts", "HTTP API"), written out here so that a change to the hub's own table shows.</summary>
public sealed class EventNameTableTests
{
    public static TheoryData<string, string> FilterToWire => new()
    {
        { "APPLICATION_STARTUP", "application.startup" },
        { "INSTANCE_CREATE", "instance.create" },
        { "INSTANCE_DELETE", "instance.delete" },
        { "QRCODE_UPDATED", "qrcode.updated" },
        { "CONNECTION_UPDATE", "connection.update" },
        { "STATUS_INSTANCE", "status.instance" },
        { "MESSAGES_SET", "messages.set" },
        { "MESSAGES_UPSERT", "messages.upsert" },
        { "MESSAGES_EDITED", "messages.edited" },
        { "MESSAGES_UPDATE", "messages.update" },
        { "MESSAGES_DELETE", "messages.delete" },
        { "SEND_MESSAGE", "send.message" },
        { "SEND_MESSAGE_UPDATE", "send.message.update" },
        { "CONTACTS_SET", "contacts.set" },
        { "CONTACTS_UPSERT", "contacts.upsert" },
        { "CONTACTS_UPDATE", "contacts.update" },
        { "PRESENCE_UPDATE", "presence.update" },
        { "CHATS_SET", "chats.set" },
        { "CHATS_UPSERT", "chats.upsert" },
        { "CHATS_UPDATE", "chats.update" },
        { "CHATS_DELETE", "chats.delete" },
        { "GROUPS_UPSERT", "groups.upsert" },
        { "GROUP_UPDATE", "groups.update" },
        { "GROUPS_UPDATE", "groups.update" },
        { "GROUP_PARTICIPANTS_UPDATE", "group-participants.update" },
        { "CALL", "call" },
        { "TYPEBOT_START", "typebot.start" },
        { "TYPEBOT_CHANGE_STATUS", "typebot.change-status" },
        { "LABELS_EDIT", "labels.edit" },
        { "LABELS_ASSOCIATION", "labels.association" },
        { "REMOVE_INSTANCE", "remove.instance" },
        { "LOGOUT_INSTANCE", "logout.instance" },
        { "CREDS_UPDATE", "creds.update" },
        { "MESSAGING_HISTORY_SET", "messaging-history.set" },
    };

    /// <summary>The table's filter names without the alias <c>GROUPS_UPDATE</c>, in ordinal order.</summary>
    private static string[] FilterNames =>
        [.. FilterToWire.Select(row => (string)row[0]).Where(name => name != "GROUPS_UPDATE").Order(StringComparer.Ordinal)];

    /// <summary>
    /// README "Concepts" (filters) and "HTTP API" (<c>/websocket/set</c>): an instance that never had settings finds every filter name of the table, and enabled with an
    /// empty list stores exactly those, as Evolution does: the same names, none missing, none extra, none twice.
    /// </summary>
    [Fact]
    public async Task Never_set_and_set_enabled_with_an_empty_list_give_exactly_the_filter_names_of_the_table()
    {
        await using var hub = await HubServer.StartAsync();
        var neverSet = await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/never-set", HubServer.GlobalKey), 200);
        AssertAllEvents(neverSet);

        var stored = await Expect.JsonAsync(await hub.PostAsync("/websocket/set/emptied", HubServer.GlobalKey, new { websocket = new { enabled = true, events = Array.Empty<string>() } }), 201);
        AssertAllEvents(stored);
        AssertAllEvents(await Expect.JsonAsync(await hub.SendAsync(HttpMethod.Get, "/websocket/find/emptied", HubServer.GlobalKey), 200));

        static void AssertAllEvents(JsonElement settings)
        {
            Assert.Equal(["enabled", "events"], settings.EnumerateObject().Select(property => property.Name));
            Assert.True(settings.GetProperty("enabled").GetBoolean(), settings.GetRawText());
            Assert.Equal(FilterNames, settings.GetProperty("events").EnumerateArray().Select(name => name.GetString()!).Order(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Published by filter name, by webhook slug (over <c>/webhook/{slug}</c> as Evolution does, and as the envelope's
    /// <c>event</c>), every event arrives under its wire name; and a filter listing the filter name lets it through.
    /// </summary>
    [Theory]
    [MemberData(nameof(FilterToWire))]
    public async Task Filter_names_and_slugs_arrive_as_the_wire_name(string filter, string wire)
    {
        var slug = filter.ToLowerInvariant().Replace('_', '-');
        await using var hub = await HubServer.StartAsync();
        await using var connection = hub.SignalR(HubServer.GlobalKey);
        var events = new EventRecorder(connection, wire);
        await connection.StartAsync();
        await connection.InvokeAsync("Subscribe", "table");

        await hub.PublishAsync(new { @event = filter, instance = "table", data = new { n = 1 } }, new { @event = slug, instance = "table", data = new { n = 2 } });
        await Expect.StatusAsync(await hub.PostAsync($"/webhook/{slug}", HubServer.GlobalKey, new { instance = "table", data = new { n = 3 } }), 202);
        await Expect.StatusAsync(await hub.PostAsync("/websocket/set/table", HubServer.GlobalKey, new { websocket = new { enabled = true, events = new[] { filter } } }), 201);
        await hub.PublishAsync(new { @event = slug, instance = "table", data = new { n = 4 } });

        for (var n = 1; n <= 4; n++)
        {
            var envelope = await events.NextEnvelopeAsync(wire);
            Assert.Equal(wire, envelope.GetProperty("event").GetString());
            Assert.Equal(n, envelope.GetProperty("data").GetProperty("n").GetInt32());
        }
    }
}
