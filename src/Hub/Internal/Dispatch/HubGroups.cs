namespace EvolutionHub.Internal.Dispatch;

/// <summary>The SignalR groups events are sent to.</summary>
internal static class HubGroups
{
    /// <summary>Listeners of every instance's events (Socket.IO namespace <c>/</c>, SignalR <c>SubscribeGlobal</c>).</summary>
    public const string Global = "global";

    public static string Instance(string instance) => "instance:" + instance;
}
