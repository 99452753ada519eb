namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>Where a polling session's move to a WebSocket stands.</summary>
internal enum UpgradeState
{
    /// <summary>No upgrade in progress.</summary>
    None,

    /// <summary>A WebSocket is open for the session; its probe has not arrived.</summary>
    AwaitingProbe,

    /// <summary>The probe was answered: the client pauses its polling, then sends the upgrade packet.</summary>
    Probed,
}
