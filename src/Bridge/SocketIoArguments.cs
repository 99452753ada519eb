namespace EvolutionHub.Bridge;

/// <summary>
/// Several arguments for one Socket.IO acknowledgement. A hub method that answers a client's event with
/// <c>new SocketIoArguments(a, b)</c> calls the client's ack callback as <c>ack(a, b)</c>; any other result is its one argument.
/// </summary>
public sealed class SocketIoArguments(params object?[] values)
{
    /// <summary>The acknowledgement's arguments, in order.</summary>
    public IReadOnlyList<object?> Values { get; } = values;
}
