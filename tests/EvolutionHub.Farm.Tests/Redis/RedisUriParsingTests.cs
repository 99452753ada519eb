using EvolutionHub.Internal.Farm;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary><c>REDIS_URI</c>: a <c>redis://</c> URI or a StackExchange.Redis configuration string.</summary>
public sealed class RedisUriParsingTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1:6380", null, null, null, false)]
    [InlineData("redis://redis", "redis:6379", null, null, null, false)]
    [InlineData("redis://:s3cret@redis:6379/2", "redis:6379", null, "s3cret", 2, false)]
    [InlineData("redis://hub:p%40ss@redis:6379", "redis:6379", "hub", "p@ss", null, false)]
    [InlineData("rediss://:s3cret@cache.example.com:6380/0", "cache.example.com:6380", null, "s3cret", 0, true)]
    [InlineData("redis-a:6379,password=s3cret,defaultDatabase=3", "redis-a:6379", null, "s3cret", 3, false)]
    public void Reads_both_forms(string value, string endpoint, string? user, string? password, int? database, bool ssl)
    {
        var options = RedisConfiguration.Parse(value);

        Assert.Equal(endpoint, Assert.Single(options.EndPoints).ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.Equal(user, options.User);
        Assert.Equal(password, options.Password);
        Assert.Equal(database, options.DefaultDatabase);
        Assert.Equal(ssl, options.Ssl);
        Assert.False(options.AbortOnConnectFail);
    }

    [Theory]
    [InlineData("redis://:pw@redis:6379/zero")]
    [InlineData("redis://")]
    public void Refuses_what_it_cannot_read(string value) =>
        Assert.Throws<HubStartupException>(() => RedisConfiguration.Parse(value));

    [Theory]
    [InlineData(null, false)]
    [InlineData(" ", false)]
    [InlineData("redis://127.0.0.1", true)]
    public void Only_a_value_turns_the_farm_on(string? value, bool farm)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Configuration"] = value }).Build();
        Assert.Equal(farm, RedisConfiguration.IsFarm(configuration.GetSection("Redis")));
    }

    [Fact]
    public void Reconnects_every_second_while_Redis_is_away() =>
        Assert.IsType<LinearRetry>(RedisConfiguration.Parse("redis://127.0.0.1").ReconnectRetryPolicy);
}
