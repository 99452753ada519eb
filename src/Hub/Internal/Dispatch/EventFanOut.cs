using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EvolutionHub.Internal.Dispatch;

/// <summary>
/// Writes events to this node's subscribers: an instance stream's through the instance's current filter, the global
/// stream's unfiltered. Each message shape (the envelope alone, or with the offset as last argument) is one
/// <see cref="SerializedHubMessage"/>, so SignalR serialises an event once per protocol, whatever the number of clients.
/// </summary>
internal sealed class EventFanOut(IInstanceStore store, HubMetrics metrics, TimeProvider time)
{
    /// <summary>The instance's filter: null when it never had settings.</summary>
    public ValueTask<WebsocketSettings?> SettingsOfAsync(string instance, CancellationToken cancellationToken) =>
        store.GetSettingsAsync(instance, cancellationToken);

    public static bool Passes(HistoryEntry entry, HistoryStream stream, WebsocketSettings? settings) =>
        stream.IsGlobal || settings is null || settings.Allows(entry.Event.Name.Filter);

    /// <summary>
    /// Starts writing <paramref name="entries"/> (of one stream, in order) to <paramref name="subscribers"/>, all of a
    /// subscriber's back to back; writes that did not complete at once are added to <paramref name="pending"/>. A
    /// connection's writes complete in the order they were started.
    /// </summary>
    public void Send(IReadOnlyList<HistoryEntry> entries, IReadOnlyList<Subscriber> subscribers, List<Task> pending)
    {
        if (entries.Count == 0 || subscribers.Count == 0)
        {
            return;
        }

        var messages = new EntryMessages[entries.Count];
        for (var index = 0; index < entries.Count; index++)
        {
            messages[index] = new EntryMessages(entries[index]);
        }

        foreach (var subscriber in subscribers)
        {
            foreach (var message in messages)
            {
                if (subscriber.SkipThrough is { } skip && message.Offset.CompareTo(skip) <= 0)
                {
                    continue;
                }

                try
                {
                    var write = subscriber.Connection.WriteAsync(message.For(subscriber));
                    if (!write.IsCompletedSuccessfully)
                    {
                        pending.Add(write.AsTask());
                    }
                }
                catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException)
                {
                    // The connection is going away; its end removes its subscriptions.
                    break;
                }
            }
        }
    }

    /// <summary>Counts an event handed to a stream's listeners on this node (there may be none).</summary>
    public void Sent(HistoryEntry entry)
    {
        metrics.EventSent();
        metrics.ObserveFanOut(time.GetElapsedTime(entry.Event.AcceptedAt));
    }

    /// <summary>An entry's two message shapes, each serialised once per protocol when first written.</summary>
    private sealed class EntryMessages(HistoryEntry entry)
    {
        private SerializedHubMessage? _plain;
        private SerializedHubMessage? _withOffset;

        public Offset Offset { get; } = Offset.TryParse(entry.Offset, out var offset) ? offset : default;

        public SerializedHubMessage For(Subscriber subscriber) => subscriber.WithOffsets
            ? _withOffset ??= new SerializedHubMessage(new InvocationMessage(entry.Event.Name.Wire, [entry.Event.Envelope, entry.Offset]))
            : _plain ??= new SerializedHubMessage(new InvocationMessage(entry.Event.Name.Wire, [entry.Event.Envelope]));
    }
}
