namespace EvolutionHub.Internal;

/// <summary>The single node's <see cref="IConnectionRevoker"/>.</summary>
public sealed class LocalConnectionRevoker(HubConnectionRegistry registry) : IConnectionRevoker
{
    public ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default)
    {
        registry.AbortTokenHolders(instance);
        return ValueTask.CompletedTask;
    }
}
