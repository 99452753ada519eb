using EvolutionHub.Bridge;
using EvolutionHub.Internal;
using EvolutionHub.Internal.Dashboard;
using EvolutionHub.Internal.Diagnostics;
using EvolutionHub.Internal.Metrics;
using EvolutionHub.Internal.Redis;
using EvolutionHub.Internal.Startup;
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
        AddHubServices(builder);
        var app = builder.Build();
        UseHub(app);
        return app;
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
        services.AddOptions<Dictionary<string, ConfiguredInstance>>().Bind(configuration.GetSection("Instances"));

        var maxBodyBytes = configuration.GetSection("Http").Get<HttpLimitsOptions>()?.MaxRequestBodyBytes ?? new HttpLimitsOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes);

        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        AddCors(builder);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<HubConnectionRegistry>();
        services.AddSingleton<CredentialResolver>();
        services.AddSingleton<HubEventFactory>();
        services.AddSingleton<EventFanOut>();
        AddSingleNodeState(services);
        services.AddHostedService<ConfiguredInstancesSeeder>();
        services.AddSingleton<WebhookIngest>();
        services.AddSingleton<InboundRoutes>();
        services.AddSingleton<InboundForwarder>();
        AddEvolutionHttpClient(builder);

        // Before AddSocketIo, which only adds its accept-all handler when none is registered.
        services.AddSingleton<ISocketIoConnectHandler, SocketIoAuthorizer>();
        var signalR = services.AddSignalR(hub => hub.MaximumReceiveMessageSize = maxBodyBytes)
            .AddMessagePackProtocol(messagePack => messagePack.SerializerOptions = JsonElementFormatter.AddTo(messagePack.SerializerOptions))
            .AddSocketIo(socketIo =>
            {
                configuration.GetSection("SocketIo").Bind(socketIo);
                socketIo.FallbackMethod = nameof(EventsHub.OnSocketIoEvent);

                // CONTRACT §7: every socket.emit is an inbound event, even one named like a hub method.
                socketIo.InvokeHubMethods = false;
            });
        if (RedisConfiguration.IsFarm(configuration.GetSection("Redis")))
        {
            signalR.AddRedisFarm(configuration.GetSection("Redis"));
        }

        // Last: these decorate services the lines above register.
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
        services.AddSingleton<OrderedEventDispatcher>();
        services.AddSingleton<IEventDispatcher>(provider => provider.GetRequiredService<OrderedEventDispatcher>());
        services.AddHostedService(provider => provider.GetRequiredService<OrderedEventDispatcher>());
    }

    private static void AddCors(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration["Cors:Origin"];
        var origins = (string.IsNullOrWhiteSpace(configured) && builder.Environment.IsDevelopment() ? "*" : configured ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            // Browser clients send credentials, so even "any origin" is answered by echoing the origin, never with "*".
            if (origins.Contains("*"))
            {
                policy.SetIsOriginAllowed(_ => true);
            }
            else
            {
                policy.WithOrigins(origins);
            }

            policy.AllowAnyHeader().AllowAnyMethod().AllowCredentials();
        }));
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
        app.UseExceptionHandler();
        app.UseMiddleware<AuthenticationFailureMetricsMiddleware>();
        app.UseStatusCodePages();
        app.UseCors();
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
        if (websocket.Enabled)
        {
            app.MapHub<EventsHub>(EventsHubPath);
            app.MapSocketIo<EventsHub>();
        }
    }
}

/// <summary>The configuration cannot run a node; the message says what to set.</summary>
public sealed class HubStartupException(string message) : Exception(message);
