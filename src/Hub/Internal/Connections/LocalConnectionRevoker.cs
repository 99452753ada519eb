namespace EvolutionHub.Internal.Connections;

/// <summary>The single node's <see cref="IConnectionRevoker"/>.</summary>
internal sealed class LocalConnectionRevoker(TokenRevocation revocation) : IConnectionRevoker
{
    public async ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default) =>
        await revocation.RevokeAsync(instance);
}
