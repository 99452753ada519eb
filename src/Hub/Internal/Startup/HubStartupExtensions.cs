using EvolutionHub.Internal.Diagnostics;
using EvolutionHub.Internal.Farm;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;

namespace EvolutionHub.Internal.Startup;

internal static class HubStartupExtensions
{
    /// <summary>
    /// What the node tells its operator: the start-up banner, a start-up failure once (not again with a stack trace), readiness
    /// and, on a farm, the Redis connection when it changes; and a client leaving mid-call is no error.
    /// </summary>
    public static void AddStartupReporting(this WebApplicationBuilder builder)
    {
        var startupLogFilter = new StartupFailureLogFilter();
        builder.Logging.AddFilter(StartupFailureLogFilter.HostCategory, startupLogFilter.Allows);
        builder.Services.AddSingleton(startupLogFilter);
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddSingleton<ReadinessLog>();
        builder.Services.Configure<HubOptions>(hub => hub.AddFilter<DisconnectedClientHubFilter>());
        if (RedisConfiguration.IsFarm(builder.Configuration.GetSection("Redis")))
        {
            builder.Services.AddHostedService<RedisConnectionLog>();
            builder.Services.AddSingleton<ILogger<RedisHubLifetimeManager<EventsHub>>, BackplaneConnectionLogFilter>();
        }
    }
}
