using EvolutionHub.Bridge.Internal.Hubs;
using EvolutionHub.Bridge.Internal.SocketIO;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge;

/// <summary>
/// Which hub serves which Socket.IO namespace at one endpoint, as <c>io.of("/chat")</c> on a Socket.IO server:
/// <c>app.MapSocketIo("/socket.io/", io => { io.MapNamespace&lt;ChatHub&gt;("/chat"); io.MapFallbackNamespace&lt;MainHub&gt;(); })</c>.
/// A namespace connection is a connection of its namespace's hub (its groups, <c>IHubContext&lt;THub&gt;</c>, filters);
/// a CONNECT to a namespace no hub serves gets CONNECT_ERROR <c>Invalid namespace</c>.
/// </summary>
public sealed class SocketIoNamespaceBuilder
{
    private readonly IServiceProvider _services;
    private readonly Dictionary<string, ISocketIoNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly List<string> _hubNames = [];
    private ISocketIoNamespace? _fallback;

    internal SocketIoNamespaceBuilder(IServiceProvider services) => _services = services;

    /// <summary>
    /// Serves namespace <paramref name="name"/> (<c>/chat</c>; a missing leading <c>/</c> is added, as Socket.IO does)
    /// with <typeparamref name="THub"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The namespace is already mapped at this endpoint.</exception>
    public SocketIoNamespaceBuilder MapNamespace<THub>(string name)
        where THub : Hub
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var ns = name.StartsWith('/') ? name : "/" + name;
        if (!_namespaces.TryAdd(ns, CreateConnector<THub>()))
        {
            throw new InvalidOperationException($"The Socket.IO namespace '{ns}' is already mapped at this endpoint.");
        }

        return this;
    }

    /// <summary>Serves every namespace not mapped by <see cref="MapNamespace{THub}"/> with <typeparamref name="THub"/>.</summary>
    /// <exception cref="InvalidOperationException">A fallback is already mapped at this endpoint.</exception>
    public SocketIoNamespaceBuilder MapFallbackNamespace<THub>()
        where THub : Hub
    {
        if (_fallback is not null)
        {
            throw new InvalidOperationException("A fallback Socket.IO namespace is already mapped at this endpoint.");
        }

        _fallback = CreateConnector<THub>();
        return this;
    }

    internal SocketIoNamespaces Build() => _namespaces.Count == 0 && _fallback is null
        ? throw new InvalidOperationException("A Socket.IO endpoint needs at least one namespace: call MapNamespace or MapFallbackNamespace.")
        : new SocketIoNamespaces(_namespaces, _fallback);

    internal string DisplayName => "Socket.IO " + string.Join(", ", _hubNames.Distinct());

    private HubNamespaceConnector<THub> CreateConnector<THub>()
        where THub : Hub
    {
        _hubNames.Add(typeof(THub).Name);
        return ActivatorUtilities.CreateInstance<HubNamespaceConnector<THub>>(_services);
    }
}
