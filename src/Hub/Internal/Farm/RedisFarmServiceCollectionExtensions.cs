using BackplaneOptions = Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions;
using EvolutionHub.Bridge;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Farm.Connections;
using EvolutionHub.Internal.Farm.History;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.Instances;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

internal static class RedisFarmServiceCollectionExtensions
{
    /// <summary>
    /// Turns the node into a farm node: the events' history in Redis streams, which also carries every event to every node,
    /// SignalR's Redis backplane for every other hub send (it carries the Socket.IO connections too, since they are hub
    /// connections) and the shared state, counts and revocations, all over one Redis connection; a Redis that is
    /// unreachable or refuses writes is an outage the node waits out.
    /// </summary>
    /// <exception cref="HubStartupException"><see cref="RedisOptions.Configuration"/> cannot be read.</exception>
    public static ISignalRServerBuilder AddRedisFarm(this ISignalRServerBuilder signalR, IConfigurationSection redis)
    {
        var options = redis.Get<RedisOptions>() ?? new RedisOptions();
        var configuration = RedisConfiguration.Parse(options.Configuration);

        // Every channel of the connection, SignalR's backplane channels included, lives under the prefix: farms that
        // share one Redis (pub/sub ignores the database number) hear nothing of each other.
        configuration.ChannelPrefix = RedisChannel.Literal(options.Prefix + ":");
        var services = signalR.Services;
        services.AddOptions<RedisOptions>().Bind(redis);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
        services.AddSingleton(new RedisKeys(options.Prefix));
        services.AddSingleton<RedisFarmConnection>();
        services.AddHostedService<RedisAvailabilityMonitor>();

        services.Replace(ServiceDescriptor.Singleton<IInstanceStore, RedisInstanceStore>());
        services.AddSingleton<LocalConnectionTracker>();
        services.AddSingleton<RedisConnectionTracker>();
        services.Replace(ServiceDescriptor.Singleton<IConnectionTracker>(provider => provider.GetRequiredService<RedisConnectionTracker>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisConnectionTracker>());
        services.AddSingleton<RedisConnectionRevoker>();
        services.Replace(ServiceDescriptor.Singleton<IConnectionRevoker>(provider => provider.GetRequiredService<RedisConnectionRevoker>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisConnectionRevoker>());
        services.AddHostedService<RedisCredentialRecheck>();
        services.AddSingleton<RedisEventLog>();
        services.Replace(ServiceDescriptor.Singleton<IEventLog>(provider => provider.GetRequiredService<RedisEventLog>()));
        services.Replace(ServiceDescriptor.Singleton<IEventDispatcher, FarmEventDispatcher>());
        services.AddHostedService<RedisEventFeed>();
        services.Replace(ServiceDescriptor.Singleton<ISocketIoSessionStore, RedisSocketIoSessionStore>());
        services.AddExceptionHandler<FarmUnavailableExceptionHandler>();
        services.Configure<HubOptions>(hub => hub.AddFilter<FarmUnavailableHubFilter>());
        services.AddTransient<IStartupFilter, FarmHandshakeGate.StartupFilter>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);

        signalR.AddStackExchangeRedis();
        services.AddOptions<BackplaneOptions>()
            .Configure<IConnectionMultiplexer>((backplane, multiplexer) => backplane.ConnectionFactory = _ => Task.FromResult(multiplexer));
        return signalR;
    }
}
