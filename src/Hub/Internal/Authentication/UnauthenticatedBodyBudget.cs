using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// The bytes this node may hold, all requests together, for bodies whose sender is not authenticated yet
/// (<see cref="HttpLimitsOptions.MaxUnauthenticatedBodyBytes"/>): what anyone can make the node buffer without a key.
/// </summary>
internal sealed class UnauthenticatedBodyBudget(IOptions<HttpLimitsOptions> options)
{
    private long _available = options.Value.MaxUnauthenticatedBodyBytes;

    public bool TryTake(long bytes)
    {
        var available = Interlocked.Read(ref _available);
        while (available >= bytes)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available)
            {
                return true;
            }

            available = seen;
        }

        return false;
    }

    public void Return(long bytes) => Interlocked.Add(ref _available, bytes);
}
