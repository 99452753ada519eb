using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.SocketIO.Recovery;

/// <summary>
/// Connection-state recovery, as socket.io's namespace and socket do it, made to survive the node: every socket with a
/// private id has a record in the store from its CONNECT on, refreshed while it lives (<see cref="RefreshAsync"/>) and
/// saved once more when it ends for a recoverable reason, or removed when it ends for good. With a store that does not
/// outlive the process (<see cref="ISocketIoSessionStore.OutlivesProcess"/>), a socket's record is only saved when it
/// ends. A CONNECT whose <c>auth</c> carries that id and an offset takes the record, once, within
/// <see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/> of the socket's last sign of life, in the
/// same namespace: on this node or, with a shared store, any other, even after its node was killed.
/// </summary>
internal sealed partial class ConnectionStateRecovery(ISocketIoSessionStore store, IOptions<SocketIoOptions> options, TimeProvider time,
    ILogger<ConnectionStateRecovery> logger)
{
    // socket.io's recoverable reasons, as the Engine.IO layer names them: the client did not leave on purpose.
    private static readonly HashSet<string> RecoverableReasons = new(StringComparer.Ordinal) { "transport close", "transport error", "ping timeout", "forced close" };

    private readonly SocketIoConnectionStateRecoveryOptions _options = options.Value.ConnectionStateRecovery;

    private readonly ConcurrentDictionary<TaskCompletionSource, byte> _pendingSaves = new();

    // This node's sockets that have a private id, until their end is settled in the store.
    private readonly ConcurrentDictionary<string, LiveSocket> _live = new(StringComparer.Ordinal);

    /// <summary>How often the records of live sockets are refreshed: a quarter of the window.</summary>
    public TimeSpan RefreshInterval => _options.MaxDisconnectionDuration / 4;

    public bool Enabled => _options.Enabled;

    /// <summary>A new private id for a socket of a session of <paramref name="engineProtocol"/>, or null when it gets none.</summary>
    public string? NewPid(int engineProtocol) => _options.Enabled && engineProtocol == 4 ? RandomIds.New() : null;

    /// <summary>
    /// The client's request to recover and the session it names (null when unknown, expired, of another namespace or
    /// still connected on this node), or null when it makes no request. The session, if any, is taken from the store: it
    /// cannot be recovered again.
    /// </summary>
    public async ValueTask<(SocketIoRecoveryRequest Request, SocketIoSessionRecord? Session)?> TakeAsync(int engineProtocol, string ns,
        JsonElement? auth, CancellationToken cancellationToken)
    {
        if (!_options.Enabled || engineProtocol != 4 || auth is not { ValueKind: JsonValueKind.Object } fields
            || !fields.TryGetProperty("pid", out var pidField) || pidField.ValueKind != JsonValueKind.String
            || !fields.TryGetProperty("offset", out var offset) || offset.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var pid = pidField.GetString()!;
        if (_live.TryGetValue(pid, out var live))
        {
            if (!live.Closing)
            {
                // Its socket lives here: the pid is not this client's to take over.
                return (new SocketIoRecoveryRequest(offset.GetString()!, null), null);
            }

            // Its session just closed: once its hub connection has ended and its record is saved, it can be recovered.
            await live.Settled.Task.WaitAsync(cancellationToken);
        }

        SocketIoSessionRecord? session = null;
        try
        {
            session = await store.TakeAsync(pid, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A store out of reach costs the client its recovery, not its connection.
            Log.TakeFailed(logger, ns, ex);
        }

        if (session is not null && (session.Namespace != ns || time.GetUtcNow() - session.LastSeenAt > _options.MaxDisconnectionDuration))
        {
            session = null;
        }

        return (new SocketIoRecoveryRequest(offset.GetString()!, session?.SocketId), session);
    }

    /// <summary>Whether a socket whose session ended for <paramref name="reason"/> may be recovered.</summary>
    public static bool IsRecoverable(string reason) => RecoverableReasons.Contains(reason);

    /// <summary>
    /// Records a socket that was just accepted, before its CONNECT ack goes out, so that its client can recover it even if
    /// this node dies; from then on its end is settled in the store: saved again or removed.
    /// </summary>
    public async ValueTask TrackAsync(ISocketIoSocket socket, CancellationToken cancellationToken)
    {
        var handshake = socket.Handshake;
        if (handshake.Pid is not { } pid)
        {
            return;
        }

        var live = new LiveSocket(handshake);
        _live[pid] = live;
        socket.Ended += ended => _ = SettleAsync(live);
        if (!store.OutlivesProcess)
        {
            return;
        }

        try
        {
            await store.SaveAsync(RecordOf(handshake), _options.MaxDisconnectionDuration, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SaveFailed(logger, handshake.SocketId, handshake.Namespace, ex);
        }
    }

    /// <summary>The session of <paramref name="socket"/> closed for a recoverable reason: its record is saved once it has ended.</summary>
    public void SaveWhenEnded(ISocketIoSocket socket)
    {
        if (socket.Handshake.Pid is { } pid && _live.TryGetValue(pid, out var live) && live.Socket == socket.Handshake)
        {
            live.Closing = true;
        }
    }

    /// <summary>Saves the records of this node's live sockets again, with now as their last sign of life.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!store.OutlivesProcess)
        {
            return;
        }

        var saves = _live.Values.Where(live => !live.Closing)
            .Select(live => store.SaveAsync(RecordOf(live.Socket), _options.MaxDisconnectionDuration, cancellationToken).AsTask())
            .ToArray();
        try
        {
            await Task.WhenAll(saves);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var failed = saves.Where(save => save.IsFaulted).ToArray();
            Log.RefreshFailed(logger, failed.Length, saves.Length, failed[0].Exception!.InnerException!);
        }
    }

    private async Task SettleAsync(LiveSocket live)
    {
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingSaves[saved] = 0;
        var socket = live.Socket;
        try
        {
            if (live.Closing)
            {
                await store.SaveAsync(RecordOf(socket), _options.MaxDisconnectionDuration, CancellationToken.None);
            }
            else
            {
                // Left on purpose (a DISCONNECT) or ended by the host: nothing to recover, as in socket.io.
                await store.TakeAsync(socket.Pid!, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            Log.SaveFailed(logger, socket.SocketId, socket.Namespace, ex);
        }
        finally
        {
            _live.TryRemove(new KeyValuePair<string, LiveSocket>(socket.Pid!, live));
            live.Settled.TrySetResult();
            _pendingSaves.TryRemove(saved, out _);
            saved.SetResult();
        }
    }

    private SocketIoSessionRecord RecordOf(SocketIoFeature socket) => new(socket.Pid!, socket.SocketId, socket.Namespace, time.GetUtcNow());

    /// <summary>Completes once the sockets ended so far are saved (the host's shutdown waits for it, so that they recover elsewhere).</summary>
    public Task WhenSavedAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pendingSaves.Keys.Select(save => save.Task)).WaitAsync(cancellationToken);

    private sealed class LiveSocket(SocketIoFeature socket)
    {
        public SocketIoFeature Socket { get; } = socket;

        /// <summary>Its session closed for a recoverable reason: its record is saved again once it has ended.</summary>
        public volatile bool Closing;

        /// <summary>Completes once its end is settled in the store.</summary>
        public TaskCompletionSource Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
