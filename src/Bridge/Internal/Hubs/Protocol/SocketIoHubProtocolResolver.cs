using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EvolutionHub.Bridge.Internal.Hubs.Protocol;

/// <summary>
/// Decorates the application's <see cref="IHubProtocolResolver"/> so that the <c>socketio</c> hub protocol is resolved for
/// the hub connections the bridge creates, and for nothing else: a SignalR client naming it in its handshake gets the
/// application's own answer, an unknown protocol. Every other name is the application's resolver's business.
/// </summary>
/// <remarks>
/// A backplane (Redis) serialises each message once per name of <see cref="HubOptions.SupportedProtocols"/> when it starts,
/// outside any connection. For it the options list <see cref="BackplaneName"/>, which resolves to a view of the protocol
/// that writes (under the name <c>socketio</c>, the one the bridge's connections read back) but supports no version:
/// a handshake naming it is refused before any message is read.
/// </remarks>
internal sealed class SocketIoHubProtocolResolver(IHubProtocolResolver inner, SocketIoHubProtocol protocol) : IHubProtocolResolver
{
    public const string BackplaneName = SocketIoHubProtocol.ProtocolName + ".backplane";

    private static readonly AsyncLocal<HandshakeGrant?> s_grant = new();
    private readonly IHubProtocol _backplaneView = new WriteOnlyView(protocol);

    public IReadOnlyList<IHubProtocol> AllProtocols => inner.AllProtocols;

    /// <summary>
    /// Lets the next handshake in this asynchronous flow, and only that one, resolve the <c>socketio</c> protocol. The bridge
    /// calls it in the async method that runs a namespace connection's <c>OnConnectedAsync</c>, so the grant flows into that
    /// connection's handshake and goes no further up.
    /// </summary>
    public static void GrantHandshake() => s_grant.Value = new HandshakeGrant();

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols)
    {
        if (string.Equals(protocolName, SocketIoHubProtocol.ProtocolName, StringComparison.OrdinalIgnoreCase))
        {
            return s_grant.Value?.TryClaim() == true ? protocol : inner.GetProtocol(protocolName, supportedProtocols);
        }

        if (string.Equals(protocolName, BackplaneName, StringComparison.OrdinalIgnoreCase))
        {
            return _backplaneView;
        }

        return inner.GetProtocol(protocolName, supportedProtocols);
    }

    private sealed class HandshakeGrant
    {
        private int _claimed;

        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
    }

    /// <summary>Serialises as the protocol does; reads nothing and supports no version, so no connection can speak it.</summary>
    private sealed class WriteOnlyView(SocketIoHubProtocol protocol) : IHubProtocol
    {
        public string Name => protocol.Name;

        public int Version => protocol.Version;

        public TransferFormat TransferFormat => protocol.TransferFormat;

        public bool IsVersionSupported(int version) => false;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            throw new InvalidDataException("The backplane view of the socketio protocol reads nothing.");

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => protocol.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => protocol.GetMessageBytes(message);
    }
}
