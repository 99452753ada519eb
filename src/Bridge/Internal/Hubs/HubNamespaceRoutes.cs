namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>The hub connector of each namespace served at one Socket.IO endpoint, and the one for the others, if any.</summary>
internal sealed class HubNamespaceRoutes(IReadOnlyDictionary<string, IHubNamespaceConnector> namespaces, IHubNamespaceConnector? fallback)
{
    private readonly Dictionary<string, IHubNamespaceConnector> _namespaces = new(namespaces, StringComparer.Ordinal);

    /// <summary>The connector serving <paramref name="ns"/>, or null when no hub serves it.</summary>
    public IHubNamespaceConnector? Find(string ns) => _namespaces.GetValueOrDefault(ns) ?? fallback;
}
