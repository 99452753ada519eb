namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Marks a hub connection as the bridge's, and tells it when the hub's <c>OnConnectedAsync</c> has run (<see cref="SocketIoHubFilter"/>).</summary>
internal sealed class HubConnectedFeature
{
    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
