using EvolutionHub.Bridge.Internal.EngineIO.Parser;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>An Engine.IO session as the layer above sees it: the public connection, plus encoded packets and the session's end.</summary>
internal interface IEngineIoSession : IEngineIoConnection
{
    bool IsClosed { get; }

    /// <summary>Cancelled when the session closes.</summary>
    CancellationToken Closed { get; }

    /// <summary>Queues an encoded packet; false when the session is closed or its queue is full (then it closes).</summary>
    bool Enqueue(EnginePacket packet);

    /// <summary>Input that breaks the protocol: the session ends.</summary>
    void OnProtocolError(string detail, bool sendClosePacket = false);
}
