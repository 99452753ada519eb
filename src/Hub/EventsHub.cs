using System.Text.Json;
using EvolutionHub.Bridge;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Inbound;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub;

/// <summary>
/// The hub at <c>/hubs/events</c>, and behind every Socket.IO namespace: <c>/{instance}</c> receives that instance's
/// stream from connect on, <c>/</c> the global stream, each event with its offset as last argument (Engine.IO v4). SignalR
/// clients choose with <see cref="Subscribe"/>, <see cref="Resume"/>, <see cref="SubscribeGlobal"/> and <see cref="ResumeGlobal"/>.
/// </summary>
internal sealed partial class EventsHub(
    IConnectionTracker tracker,
    HubConnectionRegistry registry,
    TokenRevocation revocation,
    EventIngest ingest,
    EventSubscriptions subscriptions,
    InboundForwarder inbound,
    HubMetrics metrics,
    ILogger<EventsHub> logger) : Hub
{
    private const string UnauthorizedMessage = "Unauthorized";

    public override async Task OnConnectedAsync()
    {
        var credential = Credential;
        if (Context.Features.Get<ISocketIoFeature>() is { } socket)
        {
            // Socket.IO 2 clients (Engine.IO v3) predate offsets: their handlers would get one argument too many.
            var withOffsets = socket.EngineProtocol >= 4;
            if (socket.Namespace != "/")
            {
                await JoinSocketAsync(socket, () => JoinAsync(socket.Namespace[1..], withOffsets, socket.RecoveredOffset),
                    () => JoinAsync(socket.Namespace[1..], withOffsets, offset: null));
            }
            else if (credential.IsGlobal)
            {
                // Not an instance token on the "/" an Engine.IO v3 session joins by itself (SocketIoAuthorizer).
                await JoinSocketAsync(socket, () => subscriptions.ResumeAsync(Context.ConnectionId, HistoryStream.Global, socket.RecoveredOffset, withOffsets),
                    () => subscriptions.ResumeAsync(Context.ConnectionId, HistoryStream.Global, offset: null, withOffsets));
            }
        }

        // Last, so that a failed connect (which gets no OnDisconnectedAsync) leaves nothing behind to undo. A token revoked
        // since it was looked up cuts the connection as the revocation would have: OnDisconnectedAsync undoes the rest.
        if (credential.Kind == CredentialKind.Instance && !await revocation.AdmitAsync(Context, credential))
        {
            Context.Abort();
        }

        metrics.ConnectionOpened(Context);
        Log.Connected(logger, Context.ConnectionId, credential.Kind);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed(Context);
        registry.Remove(Context.ConnectionId);
        foreach (var instance in Subscriptions.Close())
        {
            await tracker.UntrackAsync(instance, Context.ConnectionId);
        }

        Log.Disconnected(logger, Context.ConnectionId);
    }

    /// <summary>Receive an instance's events (filtered by its settings). Global key or that instance's token.</summary>
    public async Task Subscribe(string instance)
    {
        RequireValidName(instance);
        if (!Credential.Allows(instance))
        {
            throw new HubException(UnauthorizedMessage);
        }

        await JoinAsync(instance, withOffsets: false, offset: null);
    }

    /// <summary>
    /// Receive an instance's events (filtered) with their offsets as second argument; with an <paramref name="offset"/>,
    /// every event after it first, in order, none twice. <see cref="Subscribe"/>'s scope.
    /// </summary>
    /// <exception cref="HubException">The history cannot continue from <paramref name="offset"/>; nothing is subscribed.</exception>
    public async Task Resume(string instance, string? offset)
    {
        RequireValidName(instance);
        if (!Credential.Allows(instance))
        {
            throw new HubException(UnauthorizedMessage);
        }

        await JoinAsync(instance, withOffsets: true, offset);
    }

    public async Task Unsubscribe(string instance)
    {
        RequireValidName(instance);
        if (Subscriptions.Remove(instance))
        {
            subscriptions.Unsubscribe(HistoryStream.Of(instance), Context.ConnectionId);
            await tracker.UntrackAsync(instance, Context.ConnectionId);
        }
    }

    /// <summary>Receive every instance's events when <c>Websocket:GlobalEvents</c> is on. Global key.</summary>
    public async Task SubscribeGlobal()
    {
        RequireGlobal();
        await subscriptions.ResumeAsync(Context.ConnectionId, HistoryStream.Global, offset: null, withOffsets: false);
    }

    /// <summary><see cref="Resume"/> for the global stream. Global key.</summary>
    public async Task ResumeGlobal(string? offset)
    {
        RequireGlobal();
        await subscriptions.ResumeAsync(Context.ConnectionId, HistoryStream.Global, offset, withOffsets: true);
    }

    /// <summary>An inbound event (README, Inbound events): forwarded to Evolution API by its route; returns the result object.</summary>
    public async Task<IReadOnlyDictionary<string, object?>> Send(string instance, string eventName, object? payload)
    {
        RequireValidName(instance);
        if (!Credential.Allows(instance))
        {
            throw new HubException(UnauthorizedMessage);
        }

        return await inbound.ForwardAsync(instance, eventName, payload is null ? null : PlainJson.ToElement(payload), Context.ConnectionAborted);
    }

    /// <summary>
    /// Publishes one envelope, as <c>POST /api/events</c> does. Global key. Both protocols bind the argument as JSON: the JSON
    /// protocol parses it into an element of its own, MessagePack through <see cref="JsonElementFormatter"/>.
    /// </summary>
    public async Task Publish(JsonElement envelope)
    {
        RequireGlobal();
        var result = await ingest.PublishAsync(envelope, new IngestRequest(Credential), Context.ConnectionAborted);
        switch (result.Outcome)
        {
            case IngestOutcome.Invalid:
                throw new HubException(result.Problem);
            case IngestOutcome.Forbidden:
                throw new HubException(UnauthorizedMessage);
        }
    }

    /// <summary>
    /// The bridge's fallback for a Socket.IO client event that names no hub method: <c>socket.emit(name, payload, ack)</c> on
    /// <c>/{instance}</c> is an inbound event of that instance; the ack gets the result object.
    /// </summary>
    /// <remarks>Binary attachments arrive in the payload as base64 strings, as Evolution API's media routes take them.</remarks>
    public async Task<IReadOnlyDictionary<string, object?>> OnSocketIoEvent(string eventName, JsonElement[] arguments)
    {
        if (Context.Features.Get<ISocketIoFeature>() is not { } socket || socket.Namespace == "/")
        {
            return InboundForwarder.Failure("Client events are accepted on an instance's Socket.IO namespace only.");
        }

        JsonElement? payload = arguments is [var first, ..] ? first : null;
        return await inbound.ForwardAsync(socket.Namespace[1..], eventName, payload, Context.ConnectionAborted);
    }

    private Credential Credential => Internal.Authentication.Credential.FromPrincipal(Context.User);

    private ConnectionSubscriptions Subscriptions
    {
        get
        {
            if (!Context.Items.TryGetValue(typeof(ConnectionSubscriptions), out var value) || value is not ConnectionSubscriptions subscriptions)
            {
                subscriptions = new ConnectionSubscriptions();
                Context.Items[typeof(ConnectionSubscriptions)] = subscriptions;
            }

            return subscriptions;
        }
    }

    /// <summary>
    /// Joins a socket to its namespace's stream: a recovered one from its offset (what it missed, then live events, none
    /// twice), a new one from now. The connect handler checked that the history holds the offset; if it was trimmed since,
    /// the socket is already recovered (its CONNECT ack is written), so it joins live events and the loss is logged.
    /// </summary>
    private async Task JoinSocketAsync(ISocketIoFeature socket, Func<Task> resume, Func<Task> subscribe)
    {
        if (socket.RecoveredOffset is null)
        {
            await subscribe();
            return;
        }

        try
        {
            await resume();
        }
        catch (HubException)
        {
            Log.RecoveredWithoutReplay(logger, Context.ConnectionId, socket.Namespace, socket.RecoveredOffset);
            await subscribe();
        }
    }

    private async Task JoinAsync(string instance, bool withOffsets, string? offset)
    {
        if (!Subscriptions.Add(instance))
        {
            if (withOffsets)
            {
                throw new HubException($"Already subscribed to {instance}: Unsubscribe first.");
            }

            return;
        }

        var stream = HistoryStream.Of(instance);
        try
        {
            await subscriptions.ResumeAsync(Context.ConnectionId, stream, offset, withOffsets);
        }
        catch
        {
            Subscriptions.Remove(instance);
            throw;
        }

        await tracker.TrackAsync(instance, Context.ConnectionId);

        // A Subscribe runs alongside the connection's end: if that end (or an Unsubscribe) came while the stream was being
        // joined, it untracked before this tracked, and the count (and the subscription) would stay.
        if (!Subscriptions.Contains(instance))
        {
            subscriptions.Unsubscribe(stream, Context.ConnectionId);
            await tracker.UntrackAsync(instance, Context.ConnectionId);
        }
    }

    private void RequireGlobal()
    {
        if (!Credential.IsGlobal)
        {
            throw new HubException(UnauthorizedMessage);
        }
    }

    private static void RequireValidName(string instance)
    {
        if (!InstanceNames.IsValid(instance))
        {
            throw new HubException("Invalid instance name.");
        }
    }
}
