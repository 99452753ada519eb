namespace EvolutionHub.Internal;

/// <summary>Disconnects the live connections that authenticated with an instance's token. The farm reaches every node.</summary>
public interface IConnectionRevoker
{
    ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default);
}
