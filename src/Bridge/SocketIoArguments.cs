namespace EvolutionHub.Bridge;

/// <summary>
/// Several arguments of one Socket.IO acknowledgement, both ways. A hub method that answers a client's event with
/// <c>new SocketIoArguments(a, b)</c> calls the client's ack callback as <c>ack(a, b)</c>; any other result is its one
/// argument. <c>Clients.Client(id).InvokeAsync&lt;SocketIoArguments&gt;("q", …)</c> receives every argument of the
/// client's <c>ack(a, b, …)</c>, each read as <c>object</c> (as <see cref="SocketIoOptions.FallbackMethod"/>'s <c>object[]</c>):
/// binary attachments as <c>byte[]</c>, other values as <c>System.Text.Json.JsonElement</c>, or as
/// <c>System.Text.Json.Nodes.JsonNode</c> holding <c>byte[]</c> values when the acknowledgement carries attachments.
/// </summary>
public sealed class SocketIoArguments(params object?[] values)
{
    /// <summary>The acknowledgement's arguments, in order.</summary>
    public IReadOnlyList<object?> Values { get; } = values;
}
