namespace EvolutionHub.Internal.Ingest;

/// <summary>An event's name on the wire and the name settings filter it by.</summary>
internal readonly record struct EventName(string Wire, string Filter);

/// <summary>Evolution API's event names: filter names (<c>MESSAGES_UPSERT</c>), wire names (<c>messages.upsert</c>) and webhook slugs (<c>messages-upsert</c>).</summary>
internal static class EvolutionEvents
{
    private const string GroupsUpdateAlias = "GROUPS_UPDATE";

    private static readonly Dictionary<string, string> WireByFilter = new(StringComparer.Ordinal)
    {
        ["APPLICATION_STARTUP"] = "application.startup",
        ["INSTANCE_CREATE"] = "instance.create",
        ["INSTANCE_DELETE"] = "instance.delete",
        ["QRCODE_UPDATED"] = "qrcode.updated",
        ["CONNECTION_UPDATE"] = "connection.update",
        ["STATUS_INSTANCE"] = "status.instance",
        ["MESSAGES_SET"] = "messages.set",
        ["MESSAGES_UPSERT"] = "messages.upsert",
        ["MESSAGES_EDITED"] = "messages.edited",
        ["MESSAGES_UPDATE"] = "messages.update",
        ["MESSAGES_DELETE"] = "messages.delete",
        ["SEND_MESSAGE"] = "send.message",
        ["SEND_MESSAGE_UPDATE"] = "send.message.update",
        ["CONTACTS_SET"] = "contacts.set",
        ["CONTACTS_UPSERT"] = "contacts.upsert",
        ["CONTACTS_UPDATE"] = "contacts.update",
        ["PRESENCE_UPDATE"] = "presence.update",
        ["CHATS_SET"] = "chats.set",
        ["CHATS_UPSERT"] = "chats.upsert",
        ["CHATS_UPDATE"] = "chats.update",
        ["CHATS_DELETE"] = "chats.delete",
        ["GROUPS_UPSERT"] = "groups.upsert",
        ["GROUP_UPDATE"] = "groups.update",
        ["GROUP_PARTICIPANTS_UPDATE"] = "group-participants.update",
        ["CALL"] = "call",
        ["TYPEBOT_START"] = "typebot.start",
        ["TYPEBOT_CHANGE_STATUS"] = "typebot.change-status",
        ["LABELS_EDIT"] = "labels.edit",
        ["LABELS_ASSOCIATION"] = "labels.association",
        ["REMOVE_INSTANCE"] = "remove.instance",
        ["LOGOUT_INSTANCE"] = "logout.instance",
        ["CREDS_UPDATE"] = "creds.update",
        ["MESSAGING_HISTORY_SET"] = "messaging-history.set",
    };

    /// <summary>The 33 filter names, in Evolution API's order.</summary>
    public static IReadOnlyList<string> FilterNames { get; } = [.. WireByFilter.Keys];

    /// <summary>
    /// Resolves a wire name, filter name or slug. All three reduce to the filter name by Evolution's rule
    /// (upper case, <c>.</c> and <c>-</c> → <c>_</c>); a name outside the table keeps its own text, lower-cased, on the wire.
    /// </summary>
    public static EventName Normalize(string name)
    {
        var filter = Canonical(name.ToUpperInvariant().Replace('.', '_').Replace('-', '_'));
        return WireByFilter.TryGetValue(filter, out var wire)
            ? new EventName(wire, filter)
            : new EventName(name.ToLowerInvariant(), filter);
    }

    /// <summary>The stored form of a filter name given to <c>/websocket/set</c>, or null when it is not one of the table's.</summary>
    public static string? ParseFilterName(string name)
    {
        var filter = Canonical(name);
        return WireByFilter.ContainsKey(filter) ? filter : null;
    }

    private static string Canonical(string filter) => filter == GroupsUpdateAlias ? "GROUP_UPDATE" : filter;
}
