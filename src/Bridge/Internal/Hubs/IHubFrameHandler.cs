using EvolutionHub.Bridge.Internal.Hubs.Protocol;

namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>Receives the frames the hub writes to a <see cref="HubOutputWriter"/>.</summary>
internal interface IHubFrameHandler
{
    /// <summary>A frame of the hub; <paramref name="shared"/> when its bytes were serialised once for many connections.</summary>
    void OnFrame(in BridgeFrame frame, bool shared);
}
