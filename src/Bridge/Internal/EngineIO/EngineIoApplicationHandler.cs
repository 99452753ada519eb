namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>Runs a public <see cref="EngineIoApplication"/> on Engine.IO sessions.</summary>
internal sealed class EngineIoApplicationHandler(EngineIoApplication application) : IEngineIoSessionHandler
{
    public ValueTask OnOpenAsync(IEngineIoSession session) => application.OnOpenAsync(session);

    public ValueTask OnMessageAsync(IEngineIoSession session, ReadOnlyMemory<byte> data, bool isBinary) =>
        application.OnMessageAsync(session, data, isBinary);

    public ValueTask OnHeartbeatAsync(IEngineIoSession session) => application.OnHeartbeatAsync(session);

    public void OnClose(IEngineIoSession session, string reason) => application.OnClose(session, reason);
}
