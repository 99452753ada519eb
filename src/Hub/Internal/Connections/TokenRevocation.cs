using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Instances;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// Cuts this node's connections whose instance token is no longer their instance's (deleted or rotated), by checking the
/// tokens they authenticated with against the store; connections made with the instance's current token stay.
/// </summary>
/// <remarks>
/// Each check reads the store and then cuts, one check at a time: a check that read the store earlier cannot cut after
/// one that read it later, so the holders of a token that was current at the later read stay.
/// </remarks>
internal sealed partial class TokenRevocation(HubConnectionRegistry registry, IInstanceStore store, ILogger<TokenRevocation> logger)
{
    private readonly SemaphoreSlim _checking = new(1, 1);

    /// <summary>
    /// Registers a connection that authenticated with an instance token. False, and not registered, when its token was
    /// revoked since it was looked up (or the store cannot tell): the caller aborts it.
    /// </summary>
    public async ValueTask<bool> AdmitAsync(HubCallerContext context, Credential credential)
    {
        var instance = credential.Instance!;
        var tokenHash = credential.TokenHash ?? "";
        if (!registry.Add(context, instance, tokenHash, credential.RevocationMark))
        {
            return true;
        }

        string? current;
        try
        {
            current = await CurrentTokenHashAsync(instance, context.ConnectionAborted);
        }
        catch (OperationCanceledException)
        {
            // The connection went meanwhile.
            current = null;
        }
        catch (Exception exception)
        {
            Log.CheckFailed(logger, instance, exception);
            current = null;
        }

        if (current == tokenHash)
        {
            return true;
        }

        registry.Remove(context.ConnectionId);
        return false;
    }

    /// <summary>
    /// The token of <paramref name="instance"/> changed (deleted or rotated, here or on another node): cuts its holders
    /// whose token is no longer the store's; all of them when the store cannot tell. Never throws.
    /// </summary>
    public async Task<int> RevokeAsync(string instance)
    {
        await _checking.WaitAsync();
        try
        {
            string? current;
            try
            {
                current = await CurrentTokenHashAsync(instance, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // A revocation must not be missed: without the store, every holder goes (clients reconnect once it answers).
                Log.CheckFailed(logger, instance, exception);
                current = null;
            }

            return Cut(instance, current);
        }
        finally
        {
            _checking.Release();
        }
    }

    /// <summary>Checks every token holder of this node against the store; returns how many were cut.</summary>
    /// <exception cref="Exception">The store could not be read; nothing was cut.</exception>
    public async Task<int> RecheckAllAsync(CancellationToken cancellationToken)
    {
        await _checking.WaitAsync(cancellationToken);
        try
        {
            string[] instances = [.. registry.Instances];
            var current = await Task.WhenAll(instances.Select(instance => CurrentTokenHashAsync(instance, cancellationToken)));
            var cut = 0;
            for (var i = 0; i < instances.Length; i++)
            {
                cut += Cut(instances[i], current[i]);
            }

            return cut;
        }
        finally
        {
            _checking.Release();
        }
    }

    private int Cut(string instance, string? currentTokenHash)
    {
        var cut = registry.AbortHoldersExcept(instance, currentTokenHash);
        if (cut > 0)
        {
            Log.Revoked(logger, cut, instance);
        }

        return cut;
    }

    private async Task<string?> CurrentTokenHashAsync(string instance, CancellationToken cancellationToken) =>
        await store.GetTokenAsync(instance, cancellationToken) is { } token ? TokenHash.Of(token) : null;
}
