using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Redis;

/// <summary><c>REDIS_URI=redis://:password@host:port/db</c> against a Redis that requires the password.</summary>
public sealed class RedisPasswordAndDatabaseTests
{
    [Fact]
    public async Task Nodes_authenticate_with_the_password_of_the_URI_and_keep_the_state_in_its_database()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2, redisPassword: "farm-s3cret", redisDatabase: 3);
        var (a, b) = (farm[0], farm[1]);

        using (var created = await a.Http.PutAsJsonAsync("/api/instances/secured", new { token = "secured-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal("1", await farm.Redis.CliAsync("HEXISTS", "{evolutionhub}:tokens", "secured"));

        await using var driver = SocketIoDriver.Start();
        await FanOutTests.ConnectAsync(driver, "on-b", b, "/secured", new { transports = new[] { "websocket" }, auth = new { apikey = "secured-token-0123456789" } });
        await a.PublishAsync("secured", "MESSAGES_UPSERT", new { through = "password" });
        var received = await driver.NextAsync("on-b", "messages.upsert", timeoutMs: Timeouts.EventMs);
        Assert.Equal("password", received[0]!["data"]!["through"]!.GetValue<string>());
    }
}
