using EvolutionHub.Bridge;
using EvolutionHub.Internal.ApiReference;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Connections.Subscribers;
using EvolutionHub.Internal.Dashboard;
using EvolutionHub.Internal.Diagnostics;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Farm;
using EvolutionHub.Internal.History;
using EvolutionHub.Internal.HttpApi;
using EvolutionHub.Internal.Inbound;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using EvolutionHub.Internal.Lifetime;
using EvolutionHub.Internal.Metrics;
using EvolutionHub.Internal.Startup;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Http.Resilience;

namespace EvolutionHub;

/// <summary>Builds the hub's web application; <c>Program</c> runs it, tests start it on <c>http://127.0.0.1:0</c>.</summary>
public static class EvolutionHubApplication
{
    public const string DefaultUrl = "http://0.0.0.0:8090";
    public const string EventsHubPath = "/hubs/events";

    /// <summary>
    /// Configuration, lowest precedence first: <c>appsettings.json</c> (and <c>appsettings.{Environment}.json</c>), environment
    /// variables, their Evolution-style aliases (<c>AUTHENTICATION_API_KEY</c>, …), then <paramref name="args"/>.
    /// </summary>
    /// <exception cref="HubStartupException">The configuration cannot run a node.</exception>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = FindContentRoot(args) });
        builder.Configuration.AddInMemoryCollection(EnvironmentAliases.Read(Environment.GetEnvironmentVariables()));
        builder.Configuration.AddCommandLine(args);
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        EnsureApiKey(builder);
        EnsureConfiguredTokensAreLongEnough(builder.Configuration);
        AddHubServices(builder);
        var app = builder.Build();
        UseHub(app);
        return app;
    }

    private static void RaiseMinWorkerThreads(int workers)
    {
        ThreadPool.GetMinThreads(out var minWorkers, out var minCompletionPorts);
        if (workers > minWorkers)
        {
            ThreadPool.SetMinThreads(workers, minCompletionPorts);
        }
    }

    /// <summary>
    /// The folder holding <c>appsettings.json</c> and, by default, <c>data/</c>: <c>--contentRoot</c> when given, else the working
    /// directory (the repository root) when it has an <c>appsettings.json</c>, else the program's own folder.
    /// </summary>
    private static string FindContentRoot(string[] args)
    {
        var configured = new ConfigurationBuilder().AddCommandLine(args).Build()[WebHostDefaults.ContentRootKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        return File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? Directory.GetCurrentDirectory() : AppContext.BaseDirectory;
    }

    private static void EnsureApiKey(WebApplicationBuilder builder)
    {
        const string key = "Authentication:ApiKey";
        if (!string.IsNullOrWhiteSpace(builder.Configuration[key]))
        {
            return;
        }

        if (!builder.Environment.IsDevelopment())
        {
            throw new HubStartupException(
                "No API key: set Authentication:ApiKey (environment variable AUTHENTICATION_API_KEY). Only Development makes one up.");
        }

        var (developmentKey, keyFile) = DevelopmentApiKey.LoadOrCreate(builder);
        builder.Configuration[key] = developmentKey;
        Console.WriteLine($"EvolutionHub (Development): no Authentication:ApiKey was set, so this run uses the global key kept in {keyFile}: {developmentKey}");
    }

    private static void EnsureConfiguredTokensAreLongEnough(IConfiguration configuration)
    {
        var minimum = configuration.GetSection("Authentication").Get<ApiKeyOptions>()?.MinTokenLength ?? new ApiKeyOptions().MinTokenLength;
        var tooShort = configuration.GetSection("Instances").GetChildren()
            .Where(instance => instance["Token"] is { Length: > 0 } token && token.Length < minimum)
            .Select(instance => instance.Key)
            .ToArray();
        if (tooShort.Length > 0)
        {
            throw new HubStartupException(
                $"Instances:{tooShort[0]}:Token is shorter than Authentication:MinTokenLength ({minimum} characters)"
                + (tooShort.Length > 1 ? $", and so are the tokens of {string.Join(", ", tooShort[1..])}" : "")
                + ": use longer tokens.");
        }
    }

    private static void AddHubServices(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddOptions<ApiKeyOptions>().Bind(configuration.GetSection("Authentication"));
        services.AddOptions<WebsocketOptions>().Bind(configuration.GetSection("Websocket"));
        services.AddOptions<EvolutionOptions>().Bind(configuration.GetSection("Evolution"));
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Storage"));
        services.AddOptions<InboundOptions>().Bind(configuration.GetSection("Inbound"));
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection("Metrics"));
        services.AddOptions<CorsOriginOptions>().Bind(configuration.GetSection("Cors"));
        services.AddOptions<HttpLimitsOptions>().Bind(configuration.GetSection("Http"));
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection("Limits"));
        services.AddOptions<SignalROptions>().Bind(configuration.GetSection("SignalR"));
        services.AddOptions<RecoveryOptions>().Bind(configuration.GetSection("Recovery"));
        services.AddOptions<Dictionary<string, ConfiguredInstance>>().Bind(configuration.GetSection("Instances"));

        var maxBodyBytes = configuration.GetSection("Http").Get<HttpLimitsOptions>()?.MaxRequestBodyBytes ?? new HttpLimitsOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes);
        RaiseMinWorkerThreads(configuration.GetSection("Http").Get<HttpLimitsOptions>()?.MinWorkerThreads ?? new HttpLimitsOptions().MinWorkerThreads);

        services.Configure<HostOptions>(host => host.ShutdownTimeout = EvolutionHubHost.ShutdownTimeout);
        services.AddProblemDetails();
        services.AddApiReference();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        AddCors(services);
        services.DisableUnrestrictedForwardedHeaders();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<HubConnectionRegistry>();
        services.AddSingleton<TokenRevocation>();
        services.AddSingleton<AllowedOrigins>();
        services.AddSingleton<CredentialResolver>();
        services.AddSingleton<FailedAuthentications>();
        services.AddSingleton<ConnectionsPerAddress>();
        services.AddSingleton<SignalRConnectionGuard>();
        services.AddSingleton<ClientEventRateFilter>();
        services.AddSingleton<HubEventFactory>();
        services.AddSingleton<EventIngest>();
        services.AddSingleton<EventFanOut>();
        services.AddSingleton<LocalSubscribers>();
        services.AddSingleton<EventSubscriptions>();
        services.AddSingleton<EventLanes>();
        services.AddHostedService(provider => provider.GetRequiredService<EventLanes>());
        AddSingleNodeState(services);
        services.AddHostedService<ConfiguredInstancesSeeder>();
        services.AddSingleton<UnauthenticatedBodyBudget>();
        services.AddSingleton<WebhookIngest>();
        services.AddSingleton<InboundRoutes>();
        services.AddSingleton<InboundForwarder>();
        AddEvolutionHttpClient(builder);

        // Before AddSocketIo, which only adds its accept-all handler when none is registered.
        services.AddSingleton<ISocketIoConnectHandler, SocketIoAuthorizer>();
        var signalR = services.AddSignalR(hub =>
            {
                hub.MaximumReceiveMessageSize = maxBodyBytes;
                hub.AddFilter<ClientEventRateFilter>();
            })
            .AddMessagePackProtocol(messagePack => messagePack.SerializerOptions = JsonElementFormatter.AddTo(messagePack.SerializerOptions))
            .AddSocketIo(socketIo =>
            {
                // Recovery is on unless configured off; its window is the history's (Recovery:MaxDisconnectionSeconds).
                socketIo.ConnectionStateRecovery.Enabled = true;
                configuration.GetSection("SocketIo").Bind(socketIo);
                socketIo.ConnectionStateRecovery.MaxDisconnectionDuration = TimeSpan.FromSeconds(
                    Math.Max(1, configuration.GetSection("Recovery").Get<RecoveryOptions>()?.MaxDisconnectionSeconds ?? new RecoveryOptions().MaxDisconnectionSeconds));
                socketIo.FallbackMethod = nameof(EventsHub.OnSocketIoEvent);

                // Every socket.emit is an inbound event, even one named like a hub method (README, Inbound events).
                socketIo.InvokeHubMethods = false;
            });
        if (RedisConfiguration.IsFarm(configuration.GetSection("Redis")))
        {
            signalR.AddRedisFarm(configuration.GetSection("Redis"));
        }

        // Last: these decorate services the lines above register.
        services.TrackLocalSubscribers();
        builder.AddHubTelemetry();
        builder.AddDashboard();
        builder.AddStartupReporting();
    }

    /// <summary>The state a farm shares, kept on this node: the SQLite store, local counts, local revocation, in-process ordered dispatch.</summary>
    private static void AddSingleNodeState(IServiceCollection services)
    {
        services.AddSingleton<IInstanceStore, SqliteInstanceStore>();
        services.AddSingleton<IConnectionTracker, LocalConnectionTracker>();
        services.AddSingleton<IConnectionRevoker, LocalConnectionRevoker>();
        services.AddSingleton<MemoryEventLog>();
        services.AddSingleton<IEventLog>(provider => provider.GetRequiredService<MemoryEventLog>());
        services.AddSingleton<IEventDispatcher, SingleNodeEventDispatcher>();
    }

    private static void AddCors(IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<AllowedOrigins>((cors, origins) => cors.AddDefaultPolicy(policy =>
            // Browser clients send credentials, so even "any origin" is answered by echoing the origin, never with "*".
            policy.SetIsOriginAllowed(origins.IsAllowed).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
    }

    /// <summary>
    /// <c>MapHub&lt;EventsHub&gt;</c> with <see cref="SignalRConnectionGuard"/> in front of the hub: the same endpoints and
    /// metadata, each connection counted per address and given an output that never makes a send wait.
    /// </summary>
    private static void MapEventsHub(WebApplication app)
    {
        var guard = app.Services.GetRequiredService<SignalRConnectionGuard>();
        // Stateful reconnect: a client's transport that drops and comes back within the buffer's reach loses nothing.
        var options = new Microsoft.AspNetCore.Http.Connections.HttpConnectionDispatcherOptions { AllowStatefulReconnects = true };
        app.MapConnections(EventsHubPath, options, connection => connection
                .Use(next => context => guard.OnConnectedAsync(context, next))
                .UseHub<EventsHub>())
            .WithMetadata(new HubMetadata(typeof(EventsHub)));
    }

    private static void AddEvolutionHttpClient(WebApplicationBuilder builder)
    {
        var attemptTimeout = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetSection("Evolution").Get<EvolutionOptions>()?.TimeoutSeconds ?? new EvolutionOptions().TimeoutSeconds));
        builder.Services.AddHttpClient(InboundForwarder.HttpClientName)
            .AddStandardResilienceHandler(resilience =>
            {
                // Retrying a POST could send a WhatsApp message twice: only safe methods are retried.
                resilience.Retry.DisableForUnsafeHttpMethods();
                resilience.AttemptTimeout.Timeout = attemptTimeout;
                resilience.TotalRequestTimeout.Timeout = attemptTimeout * 3;
                resilience.CircuitBreaker.SamplingDuration = attemptTimeout * 2 > TimeSpan.FromSeconds(30) ? attemptTimeout * 2 : TimeSpan.FromSeconds(30);
            });
    }

    private static void UseHub(WebApplication app)
    {
        var websocket = app.Configuration.GetSection("Websocket").Get<WebsocketOptions>() ?? new WebsocketOptions();
        app.UseClientAddresses(app.Configuration.GetSection("Http").Get<HttpLimitsOptions>()?.KnownProxies ?? "");
        app.UseExceptionHandler();
        app.UseMiddleware<AuthenticationFailureMetricsMiddleware>();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseMiddleware<StoppingNodeGate>();
        app.UseWebSockets();
        app.UseMiddleware<WrongMethodMiddleware>();
        if (websocket.Enabled)
        {
            // By the endpoint routing matched (negotiate, the transports), so that an unknown route under the hub's path, or
            // a wrong method, is a 404 before any key check, as everywhere else.
            app.UseWhen(
                context => context.GetEndpoint()?.Metadata.GetMetadata<HubMetadata>() is not null,
                branch => branch.UseMiddleware<SignalRAuthenticationMiddleware>());
        }

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = app.Services.GetRequiredService<ReadinessLog>().WriteAsync,
        });
        app.MapHttpApi();
        app.MapHubMetrics();
        app.MapDashboard();
        app.MapApiReference();
        if (websocket.Enabled)
        {
            MapEventsHub(app);
            app.MapSocketIo<EventsHub>();
        }
    }
}

/// <summary>The configuration cannot run a node; the message says what to set.</summary>
public sealed class HubStartupException(string message) : Exception(message);
