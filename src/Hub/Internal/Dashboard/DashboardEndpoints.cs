using System.Text.Json;
using EvolutionHub.Internal.ApiReference;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.Startup;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Dashboard;

/// <summary>
/// The dashboard: its page at <see cref="Path"/> (anyone may load it; it asks for the global key and keeps it in the tab's
/// sessionStorage), and the global key's routes it reads: <c>GET /api/dashboard/summary</c> and the long-poll
/// <c>GET /api/dashboard/events?after=n</c>.
/// </summary>
internal static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    private const string Tag = "Dashboard";

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);

    // The page loads its own script and style and talks to this origin only; event data is shown as text, never as markup.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection("Dashboard"));
        if (!(builder.Configuration.GetSection("Dashboard").Get<DashboardOptions>() ?? new DashboardOptions()).Enabled)
        {
            return;
        }

        var services = builder.Services;
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<EventFeed>();
        services.AddSingleton<NodeConnections>();
        services.AddSingleton<DashboardSummary>();
        services.Configure<HubOptions>(hub => hub.AddFilter<NodeConnectionsHubFilter>());
        services.Decorate<IEventDispatcher>((provider, inner) => new FeedingEventDispatcher(inner, provider.GetRequiredService<EventFeed>()));
        services.Decorate<IConnectionTracker>((provider, inner) => new SubscriptionCountingConnectionTracker(inner, provider.GetRequiredService<NodeConnections>()));
    }

    public static void MapDashboard(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
        {
            return;
        }

        var assets = app.Services.GetRequiredService<DashboardAssets>();
        // The page and its files are not part of the HTTP API's document.
        app.MapGet(Path, (HttpContext context) => Asset(context, assets.Page, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet($"{Path}/dashboard.js", (HttpContext context) => Asset(context, assets.Script, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapGet($"{Path}/dashboard.css", (HttpContext context) => Asset(context, assets.Style, "text/css; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/api/dashboard/summary", (DashboardSummary summary, CancellationToken cancellationToken) => ReadSummaryAsync(summary, cancellationToken))
            .RequireApiKey(ApiKeyScope.Global)
            .WithTags(Tag)
            .WithSummary("This node, its Redis, its connections and the instances")
            .WithDescription("What the dashboard shows; instances is null while a farm's Redis is unreachable.")
            .Produces<JsonElement>();
        app.MapGet("/api/dashboard/events", ReadEventsAsync).RequireApiKey(ApiKeyScope.Global)
            .WithTags(Tag)
            .WithSummary("The events this node accepted after a number (long-poll)")
            .WithDescription($"Answers at once with the events numbered above after (the last {EventFeed.Capacity} at most), else within {LongPoll.TotalSeconds:0} s.")
            .Produces<DashboardEvents>();
    }

    private static IResult Asset(HttpContext context, byte[] content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        return Results.Bytes(content, contentType);
    }

    private static async Task<IResult> ReadSummaryAsync(DashboardSummary summary, CancellationToken cancellationToken) =>
        Results.Json(await summary.ReadAsync(cancellationToken));

    private static async Task<IResult> ReadEventsAsync(
        HttpContext context, EventFeed feed, IHostApplicationLifetime lifetime, long? after)
    {
        // A pending long-poll must not hold up the node's shutdown.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            var (last, entries) = await feed.ReadAfterAsync(after ?? -1, LongPoll, cancellation.Token);
            return Results.Json(new { last, events = entries });
        }
        catch (OperationCanceledException)
        {
            return Results.Json(new { last = feed.Last, events = Array.Empty<FeedEntry>() });
        }
    }
}
