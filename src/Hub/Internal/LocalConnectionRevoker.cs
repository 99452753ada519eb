namespace EvolutionHub.Internal;

/// <summary>The single node's <see cref="IConnectionRevoker"/>.</summary>
public sealed class LocalConnectionRevoker(TokenRevocation revocation) : IConnectionRevoker
{
    public async ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default) =>
        await revocation.RevokeAsync(instance);
}
