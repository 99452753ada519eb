using System.Diagnostics.Metrics;
using EvolutionHub.Bridge;
using EvolutionHub.Internal.Farm;
using EvolutionHub.Internal.Startup;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EvolutionHub.Internal.Metrics;

/// <summary>
/// OpenTelemetry for the node: the hub's meter, ASP.NET Core's and Kestrel's, SignalR's connections, HttpClient's (the
/// inbound forwards) and the runtime's, scraped by Prometheus at <c>/metrics</c>; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// set, also exported over OTLP, with traces and logs.
/// </summary>
internal static class HubTelemetry
{
    public const string MetricsPath = "/metrics";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddHubTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var farm = RedisConfiguration.IsFarm(configuration.GetSection("Redis"));
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "evolutionhub", serviceVersion: HubVersion.Current))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(HubMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter(prometheus =>
                    {
                        // Prometheus labels each target itself; scope and resource labels would only repeat what it knows.
                        prometheus.ScopeInfoEnabled = false;
                        prometheus.TargetInfoEnabled = false;
                    });

                // The view needs this host's meter factory, which exists once the service provider does.
                ((IDeferredMeterProviderBuilder)metrics).Configure(
                    (services, provider) => provider.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())));
            });

        builder.Services.Decorate<ISocketIoConnectHandler>((services, inner) => new CountingSocketIoConnectHandler(inner, services.GetRequiredService<HubMetrics>()));
        if (farm)
        {
            builder.Services.AddHostedService<RedisStateGauge>();
        }

        if (string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]))
        {
            return;
        }

        telemetry
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (farm)
                {
                    tracing.AddRedisInstrumentation();
                }
            })
            .UseOtlpExporter();
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint (GET only); with <c>Metrics:RequireKey</c> it answers the global key only,
    /// with the HTTP API's 401 and 403 problems.
    /// </summary>
    public static void MapHubMetrics(this WebApplication app)
    {
        var requireKey = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.RequireKey;
        app.MapPrometheusScrapingEndpoint(
                MetricsPath,
                meterProvider: null,
                configureBranchedPipeline: requireKey ? branch => branch.UseMiddleware<GlobalKeyMiddleware>() : null,
                optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
    }

    /// <summary>
    /// Meters made by another host's <see cref="IMeterFactory"/> in the same process (tests start many hubs in one) are not
    /// this node's: a provider listens by meter name, so without this it would count theirs too.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null;
}
