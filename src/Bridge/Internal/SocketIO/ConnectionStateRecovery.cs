using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// Connection-state recovery, as socket.io's namespace and socket do it: a socket whose transport dropped is saved under
/// its private id once it has ended; a CONNECT whose <c>auth</c> carries that id and an offset takes it back, once,
/// within <see cref="SocketIoConnectionStateRecoveryOptions.MaxDisconnectionDuration"/>, in the same namespace.
/// </summary>
internal sealed partial class ConnectionStateRecovery(ISocketIoSessionStore store, IOptions<SocketIoOptions> options, TimeProvider time,
    ILogger<ConnectionStateRecovery> logger)
{
    // socket.io's recoverable reasons, as the Engine.IO layer names them: the client did not leave on purpose.
    private static readonly HashSet<string> RecoverableReasons = new(StringComparer.Ordinal) { "transport close", "transport error", "ping timeout", "forced close" };

    private readonly SocketIoConnectionStateRecoveryOptions _options = options.Value.ConnectionStateRecovery;
    private readonly ConcurrentDictionary<TaskCompletionSource, byte> _pendingSaves = new();

    /// <summary>A new private id for a socket of a session of <paramref name="engineProtocol"/>, or null when it gets none.</summary>
    public string? NewPid(int engineProtocol) => _options.Enabled && engineProtocol == 4 ? RandomIds.New() : null;

    /// <summary>
    /// The client's request to recover and the session it names (null when unknown, expired or of another namespace), or
    /// null when it makes no request. The session, if any, is taken from the store: it cannot be recovered again.
    /// </summary>
    public async ValueTask<(SocketIoRecoveryRequest Request, SocketIoSessionRecord? Session)?> TakeAsync(int engineProtocol, string ns,
        JsonElement? auth, CancellationToken cancellationToken)
    {
        if (!_options.Enabled || engineProtocol != 4 || auth is not { ValueKind: JsonValueKind.Object } fields
            || !fields.TryGetProperty("pid", out var pid) || pid.ValueKind != JsonValueKind.String
            || !fields.TryGetProperty("offset", out var offset) || offset.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        SocketIoSessionRecord? session = null;
        try
        {
            session = await store.TakeAsync(pid.GetString()!, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A store out of reach costs the client its recovery, not its connection.
            Log.TakeFailed(logger, ns, ex);
        }

        if (session is not null && (session.Namespace != ns || time.GetUtcNow() - session.DisconnectedAt > _options.MaxDisconnectionDuration))
        {
            session = null;
        }

        return (new SocketIoRecoveryRequest(offset.GetString()!, session?.SocketId), session);
    }

    /// <summary>Whether a socket whose session ended for <paramref name="reason"/> may be recovered.</summary>
    public static bool IsRecoverable(string reason) => RecoverableReasons.Contains(reason);

    /// <summary>Saves <paramref name="socket"/> once it has ended; call before ending it.</summary>
    public void SaveWhenEnded(ISocketIoSocket socket)
    {
        if (socket.Handshake.Pid is null)
        {
            return;
        }

        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingSaves[saved] = 0;
        socket.Ended += ended => _ = SaveAsync(ended.Handshake, saved);
    }

    private async Task SaveAsync(SocketIoFeature socket, TaskCompletionSource saved)
    {
        try
        {
            var session = new SocketIoSessionRecord(socket.Pid!, socket.SocketId, socket.Namespace, time.GetUtcNow());
            await store.SaveAsync(session, _options.MaxDisconnectionDuration, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.SaveFailed(logger, socket.SocketId, socket.Namespace, ex);
        }
        finally
        {
            _pendingSaves.TryRemove(saved, out _);
            saved.SetResult();
        }
    }

    /// <summary>Completes once the sockets ended so far are saved (the host's shutdown waits for it, so that they recover elsewhere).</summary>
    public Task WhenSavedAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pendingSaves.Keys.Select(save => save.Task)).WaitAsync(cancellationToken);
}
