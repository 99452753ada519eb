using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Connections;

/// <summary>
/// Holds each hub connection to <see cref="LimitsOptions.ClientEventsPerSecond"/> method calls, in bursts of as many: a
/// SignalR invocation or a Socket.IO emit (which reaches the hub as an invocation of <see cref="EventsHub.OnSocketIoEvent"/>)
/// over the limit fails with <c>Too many events</c> before the method runs, so nothing is forwarded or published.
/// </summary>
internal sealed class ClientEventRateFilter(IOptions<LimitsOptions> options, TimeProvider time) : IHubFilter
{
    public const string TooManyEventsMessage = "Too many events";

    private readonly int _perSecond = options.Value.ClientEventsPerSecond;

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (_perSecond > 0 && !BucketOf(context.Context).TryTake(time.GetTimestamp(), time.TimestampFrequency))
        {
            throw new HubException(TooManyEventsMessage);
        }

        return next(context);
    }

    private TokenBucket BucketOf(HubCallerContext connection)
    {
        if (connection.Items.TryGetValue(typeof(TokenBucket), out var value) && value is TokenBucket bucket)
        {
            return bucket;
        }

        bucket = new TokenBucket(_perSecond, time.GetTimestamp());
        connection.Items[typeof(TokenBucket)] = bucket;
        return bucket;
    }

    private sealed class TokenBucket(int perSecond, long now)
    {
        private double _tokens = perSecond;
        private long _refilledAt = now;

        public bool TryTake(long now, long frequency)
        {
            lock (this)
            {
                _tokens = Math.Min(perSecond, _tokens + (now - _refilledAt) * (double)perSecond / frequency);
                _refilledAt = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }
}
