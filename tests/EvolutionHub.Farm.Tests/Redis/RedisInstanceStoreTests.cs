using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Internal.Farm;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary>The farm's instance store against a real Redis: its callers' cancellation tokens count.</summary>
public sealed class RedisInstanceStoreTests
{
    [Fact]
    public async Task A_read_stops_waiting_for_a_caller_that_is_gone_and_a_write_is_not_sent_for_one()
    {
        var directory = Directory.CreateTempSubdirectory("evolutionhub-store-");
        try
        {
            await using var redis = await RedisServer.StartAsync(directory.FullName);
            await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(RedisConfiguration.Parse(redis.Uri));
            var keys = new RedisKeys("evolutionhub");
            var store = new RedisInstanceStore(new RedisFarmConnection(multiplexer, keys, NullLogger<RedisFarmConnection>.Instance));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SetTokenAsync("gone", "gone-token-0123456789", new CancellationToken(canceled: true)).AsTask());
            Assert.Equal("0", await redis.CliAsync("HEXISTS", keys.Tokens.ToString(), "gone"));

            // Redis holds every client's commands for 3 s: the read's caller leaves long before it would be answered.
            await redis.CliAsync("CLIENT", "PAUSE", "3000", "ALL");
            using var leaving = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetSettingsAsync("paused", leaving.Token).AsTask());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
