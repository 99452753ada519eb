using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge;

/// <summary>A client's request to connect a namespace, handed to <see cref="ISocketIoConnectHandler"/>.</summary>
public sealed class SocketIoConnectContext
{
    private Dictionary<object, object?>? _items;

    internal SocketIoConnectContext(ISocketIoFeature socket, IServiceProvider services, SocketIoRecoveryRequest? recovery = null)
    {
        Socket = socket;
        RequestServices = services;
        Recovery = recovery;
    }

    /// <summary>What the bridge knows of the connecting socket.</summary>
    public ISocketIoFeature Socket { get; }

    /// <summary>The namespace name, starting with <c>/</c>.</summary>
    public string Namespace => Socket.Namespace;

    /// <summary>The <c>auth</c> object of the CONNECT packet, if any, as the client sent it (with <c>pid</c> and <c>offset</c> when it asks to recover).</summary>
    public JsonElement? Auth => Socket.Auth;

    /// <summary>
    /// The client's request to recover its socket, or null when it makes none (or recovery is not enabled). While it
    /// <see cref="SocketIoRecoveryRequest.CanRecover"/>, <see cref="ISocketIoFeature.SocketId"/> is the recovered id;
    /// <see cref="SocketIoConnectResult.AcceptAsNew"/> gives the socket a new one instead.
    /// </summary>
    public SocketIoRecoveryRequest? Recovery { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider RequestServices { get; }

    /// <summary>The user the hub connection will carry (<c>Context.User</c>); set it to authenticate.</summary>
    public ClaimsPrincipal User { get; set; } = new(new ClaimsIdentity());

    /// <summary>Values copied into the hub connection's <c>Context.Items</c>.</summary>
    public IDictionary<object, object?> Items => _items ??= [];

    /// <summary>The items set, if any: most handlers set none, and a connection should not keep an empty dictionary.</summary>
    internal IReadOnlyDictionary<object, object?>? ItemsSet => _items;
}

/// <summary>The decision on a namespace CONNECT.</summary>
public readonly struct SocketIoConnectResult
{
    private SocketIoConnectResult(SocketIoError? error, bool refusesRecovery = false)
    {
        Error = error;
        RefusesRecovery = refusesRecovery;
    }

    /// <summary>The body of the CONNECT_ERROR packet, or null when the connection is accepted.</summary>
    public SocketIoError? Error { get; }

    /// <summary>Whether the namespace connection is accepted.</summary>
    public bool Accepted => Error is null;

    /// <summary>Whether an accepted client that asked to recover its socket connects as new.</summary>
    internal bool RefusesRecovery { get; }

    /// <summary>Accept the connection; a client whose socket <see cref="SocketIoRecoveryRequest.CanRecover"/> recovers it.</summary>
    public static SocketIoConnectResult Accept() => default;

    /// <summary>
    /// Accept the connection as a new socket even if the client could recover its own (the events it missed cannot be
    /// replayed, say): it gets a new socket id and private id, and <c>socket.recovered</c> is false.
    /// </summary>
    public static SocketIoConnectResult AcceptAsNew() => new(null, refusesRecovery: true);

    /// <summary>Refuse it: the client receives CONNECT_ERROR with <c>{"message": message}</c>.</summary>
    public static SocketIoConnectResult Reject(string message) => new(new SocketIoError(message));

    /// <summary>Refuse it with <c>{"message": message, "data": data}</c>.</summary>
    public static SocketIoConnectResult Reject(string message, object data) => new(new SocketIoError(message, data));
}

/// <summary>The body of a CONNECT_ERROR packet.</summary>
public sealed record SocketIoError(string Message, object? Data = null);

/// <summary>Decides whether a client may connect a namespace, and with which user. Registered in DI; the default accepts all.</summary>
public interface ISocketIoConnectHandler
{
    /// <summary>Accepts or refuses <paramref name="context"/>; an accepted connection carries <see cref="SocketIoConnectContext.User"/>.</summary>
    ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken);
}
