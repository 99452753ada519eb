namespace EvolutionHub.Bridge.Internal.Hubs.Protocol;

/// <summary>What a <see cref="BridgeFrame"/> carries between the bridge and the hub connection.</summary>
internal enum BridgeFrameKind : byte
{
    /// <summary>An event: hub → client an invocation (<c>["target", …args]</c>), client → hub an emitted event.</summary>
    Event = (byte)'E',

    /// <summary>An acknowledgement (<c>[…args]</c>): of a client's event (hub → client) or of a hub's invocation (client → hub).</summary>
    Ack = (byte)'A',

    /// <summary>
    /// Hub → bridge: the client's event with this id is left unacknowledged (<see cref="SocketIoAck.None"/>, or an event
    /// that names no hub method when there is no fallback); nothing is sent, the pending acknowledgement is released.
    /// </summary>
    NoAck = (byte)'N',

    /// <summary>A keep-alive: SignalR's outgoing pings are dropped, the bridge feeds incoming ones on heartbeats.</summary>
    Ping = (byte)'P',

    /// <summary>The hub closes the connection.</summary>
    Close = (byte)'C',
}
