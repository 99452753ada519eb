namespace EvolutionHub.Internal.Connections;

/// <summary>Disconnects the live connections that authenticated with an instance's token. The farm reaches every node.</summary>
internal interface IConnectionRevoker
{
    ValueTask RevokeAsync(string instance, CancellationToken cancellationToken = default);
}
