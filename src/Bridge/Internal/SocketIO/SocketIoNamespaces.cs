namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>What serves each namespace at one Socket.IO endpoint, and what serves the others, if anything.</summary>
internal sealed class SocketIoNamespaces(IReadOnlyDictionary<string, ISocketIoNamespace> namespaces, ISocketIoNamespace? fallback)
{
    private readonly Dictionary<string, ISocketIoNamespace> _namespaces = new(namespaces, StringComparer.Ordinal);

    /// <summary>The encoders of the endpoint's namespaces, shared by their sockets.</summary>
    public NamespaceEncoders Encoders { get; } = new();

    /// <summary>What serves <paramref name="ns"/>, or null when nothing does.</summary>
    public ISocketIoNamespace? Find(string ns) => _namespaces.GetValueOrDefault(ns) ?? fallback;
}
