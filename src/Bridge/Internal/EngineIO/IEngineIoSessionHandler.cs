namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>What runs on top of Engine.IO sessions: Socket.IO, or a public <see cref="EngineIoApplication"/>.</summary>
internal interface IEngineIoSessionHandler
{
    /// <summary>A session was opened. Runs before any of the session's messages are handed in.</summary>
    ValueTask OnOpenAsync(IEngineIoSession session);

    /// <summary>A message packet; packets of one session arrive one at a time, in order.</summary>
    ValueTask OnMessageAsync(IEngineIoSession session, ReadOnlyMemory<byte> data, bool isBinary);

    /// <summary>A heartbeat round trip, in order with the session's messages.</summary>
    ValueTask OnHeartbeatAsync(IEngineIoSession session);

    /// <summary>The session ended for <paramref name="reason"/>.</summary>
    void OnClose(IEngineIoSession session, string reason);
}
