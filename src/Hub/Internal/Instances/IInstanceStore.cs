namespace EvolutionHub.Internal.Instances;

/// <summary>What <see cref="IInstanceStore.SetTokenAsync"/> did.</summary>
internal enum TokenChange
{
    Created,
    Rotated,
    Unchanged,

    /// <summary>Another instance holds that token; nothing changed.</summary>
    Conflict,
}

/// <summary>
/// Instance tokens and websocket settings: the state every node must share. Embedded (SQLite) on one node;
/// the farm swaps in a Redis implementation.
/// </summary>
internal interface IInstanceStore
{
    ValueTask<string?> GetTokenAsync(string instance, CancellationToken cancellationToken = default);

    /// <summary>The instance whose token <paramref name="token"/> is, compared in constant time.</summary>
    ValueTask<string?> FindInstanceByTokenAsync(string token, CancellationToken cancellationToken = default);

    ValueTask<TokenChange> SetTokenAsync(string instance, string token, CancellationToken cancellationToken = default);

    /// <summary>Forgets the token; false when the instance had none.</summary>
    ValueTask<bool> DeleteTokenAsync(string instance, CancellationToken cancellationToken = default);

    /// <summary>The instances that hold a token.</summary>
    ValueTask<IReadOnlyCollection<string>> GetRegisteredInstancesAsync(CancellationToken cancellationToken = default);

    /// <summary>The stored settings, or null for an instance that never had any.</summary>
    ValueTask<WebsocketSettings?> GetSettingsAsync(string instance, CancellationToken cancellationToken = default);

    ValueTask SetSettingsAsync(string instance, WebsocketSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Proves the store answers; for readiness.</summary>
    ValueTask CheckAsync(CancellationToken cancellationToken = default);
}
