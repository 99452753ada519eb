using System.Threading.Channels;
using EvolutionHub.Internal.Connections;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.Connections;

/// <summary>
/// Checks the tokens of this node's live connections against Redis when the node sees Redis again and every
/// <see cref="RedisOptions.CredentialRecheckSeconds"/>: a revocation announced while this node was cut off (pub/sub keeps
/// nothing) still cuts its holders here. A check that cannot read Redis is tried again every second until one can.
/// </summary>
internal sealed partial class RedisCredentialRecheck(
    TokenRevocation revocation, RedisFarmConnection redis, IOptions<RedisOptions> options, ILogger<RedisCredentialRecheck> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _restored = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, options.Value.CredentialRecheckSeconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.Multiplexer.ConnectionRestored += OnConnectionRestored;
        try
        {
            using var timer = new PeriodicTimer(Period);
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            var restored = _restored.Reader.WaitToReadAsync(stoppingToken).AsTask();
            while (true)
            {
                var woken = await Task.WhenAny(tick, restored);
                if (woken.IsCanceled)
                {
                    return;
                }

                if (woken == tick)
                {
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    _restored.Reader.TryRead(out _);
                    restored = _restored.Reader.WaitToReadAsync(stoppingToken).AsTask();
                }

                await RecheckAsync(stoppingToken);
            }
        }
        finally
        {
            redis.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _restored.Writer.TryWrite(true);

    private async Task RecheckAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The echo first: once it is back, the revocation subscription (resent before it) is too, so a revocation
                // is either in what the check reads or announced to this node after it.
                await redis.EchoAsync(stoppingToken);
                await revocation.RecheckAllAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (!failing)
                {
                    failing = true;
                    Log.RecheckFailed(logger, exception);
                }
            }

            try
            {
                await Task.Delay(RetryDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
