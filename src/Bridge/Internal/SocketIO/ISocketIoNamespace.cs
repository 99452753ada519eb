using System.Security.Claims;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>What serves a namespace, as socket.io's <c>Namespace</c>: it makes the socket of a CONNECT the connect handler accepted.</summary>
internal interface ISocketIoNamespace
{
    /// <summary>
    /// The socket, once the server side has set it up (the CONNECT ack is sent after this returns), or the error for the
    /// client's CONNECT_ERROR.
    /// </summary>
    Task<(ISocketIoSocket? Socket, string? Error)> ConnectAsync(SocketIoFeature handshake, ClaimsPrincipal user,
        IReadOnlyDictionary<object, object?>? items, SocketIoSocketOutput output, SocketIoAcks acks);
}
