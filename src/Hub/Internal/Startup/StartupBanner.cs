using EvolutionHub.Bridge;
using EvolutionHub.Internal.Dashboard;
using EvolutionHub.Internal.Diagnostics;
using EvolutionHub.Internal.Farm;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Startup;

/// <summary>
/// Once the node listens, one Information entry says what it runs: version, URLs, mode (with the Redis endpoint, never its
/// password), storage, CORS origins, inbound forwarding and the Socket.IO path.
/// </summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    IConfiguration configuration,
    IWebHostEnvironment environment,
    IOptions<StorageOptions> storage,
    IOptions<EvolutionOptions> evolution,
    IOptions<WebsocketOptions> websocket,
    IOptions<SocketIoOptions> socketIo,
    StartupFailureLogFilter startupLogFilter,
    ILogger<StartupBanner> logger) : IHostedService
{
    private const string Off = "off";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            startupLogFilter.Started();
            Log.Started(
                logger,
                HubVersion.Current,
                environment.EnvironmentName,
                string.Join(", ", server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []),
                Mode(),
                Storage(),
                CorsOrigins(),
                evolution.Value.BaseUrl is { Length: > 0 } baseUrl ? baseUrl : Off,
                websocket.Value.Enabled ? socketIo.Value.Path : Off,
                DashboardEndpoints.Path);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Mode()
    {
        var redis = configuration.GetSection("Redis");
        if (!RedisConfiguration.IsFarm(redis))
        {
            return "single node";
        }

        var options = RedisConfiguration.Parse(redis[nameof(RedisOptions.Configuration)]!);
        var endpoints = RedisEndpoints.Describe(options.EndPoints);
        return $"farm (Redis {endpoints}, database {options.DefaultDatabase ?? 0}{(options.Ssl ? ", TLS" : "")}, prefix {redis[nameof(RedisOptions.Prefix)] ?? new RedisOptions().Prefix})";
    }

    private string Storage()
    {
        var path = Path.Combine(environment.ContentRootPath, storage.Value.Path);
        return RedisConfiguration.IsFarm(configuration.GetSection("Redis")) ? $"Redis (tokens and settings; {path} is not used)" : path;
    }

    /// <summary>As the CORS policy reads <c>Cors:Origin</c>: empty is <c>*</c> in Development and none otherwise.</summary>
    private string CorsOrigins()
    {
        var configured = configuration["Cors:Origin"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return environment.IsDevelopment() ? "* (Development)" : "none";
        }

        return configured;
    }
}
