using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// A hub method that needed Redis while it is away or refuses commands (<c>Publish</c>, <c>Subscribe</c>, …) fails with a
/// message that says so, instead of SignalR's "unexpected error"; the connection stays up.
/// </summary>
internal sealed class FarmUnavailableHubFilter : IHubFilter
{
    public const string Message = "Unavailable: Redis is unreachable or refuses commands; retry later.";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception exception) when (exception is FarmUnavailableException or RedisConnectionException or RedisServerException or RedisTimeoutException)
        {
            throw new HubException(Message, exception);
        }
    }
}
