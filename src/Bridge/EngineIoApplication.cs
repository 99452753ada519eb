namespace EvolutionHub.Bridge;

/// <summary>The application on top of Engine.IO sessions: Socket.IO, or anything that speaks plain Engine.IO.</summary>
public abstract class EngineIoApplication
{
    /// <summary>A session was opened (handshake done). Runs before any of the session's messages are handed in.</summary>
    public virtual ValueTask OnOpenAsync(IEngineIoConnection connection) => ValueTask.CompletedTask;

    /// <summary>A message packet arrived: UTF-8 text, or bytes when <paramref name="isBinary"/>. Packets of one session arrive one at a time, in order.</summary>
    public abstract ValueTask OnMessageAsync(IEngineIoConnection connection, ReadOnlyMemory<byte> data, bool isBinary);

    /// <summary>The client proved it is alive (a heartbeat round trip). Called in order with the session's messages.</summary>
    public virtual ValueTask OnHeartbeatAsync(IEngineIoConnection connection) => ValueTask.CompletedTask;

    /// <summary>The session ended; <paramref name="reason"/> says why, as Engine.IO names it (<c>transport close</c>, <c>ping timeout</c>, …).</summary>
    public virtual void OnClose(IEngineIoConnection connection, string reason)
    {
    }
}

/// <summary>One Engine.IO session, whatever its transport.</summary>
public interface IEngineIoConnection
{
    /// <summary>The session id (<c>sid</c>).</summary>
    string Id { get; }

    /// <summary>The Engine.IO protocol revision: 3 or 4.</summary>
    int Protocol { get; }

    /// <summary>The handshake request's query, headers and remote address.</summary>
    EngineIoHandshake Handshake { get; }

    /// <summary>Application state attached to the session.</summary>
    object? State { get; set; }

    /// <summary>Queues a message packet. Returns false when the session is closed or its queue is full (then it closes).</summary>
    bool Send(ReadOnlyMemory<byte> data, bool isBinary);

    /// <summary>Closes the session from the server side.</summary>
    void Close();
}
