using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EvolutionHub.Internal.Diagnostics;

/// <summary>
/// Writes <c>/health/ready</c>'s answer and logs readiness when it changes: one Warning naming the failing checks (without
/// stack traces) when the node stops being ready, one Information entry when it is ready again. A probe every few seconds
/// during an outage logs nothing more (the health check service's own per-probe entries are off in <c>appsettings.json</c>).
/// </summary>
internal sealed partial class ReadinessLog(ILogger<ReadinessLog> logger)
{
    private readonly Lock _lock = new();
    private HealthStatus _last = HealthStatus.Healthy;

    public async Task WriteAsync(HttpContext context, HealthReport report)
    {
        HealthStatus previous;
        lock (_lock)
        {
            previous = _last;
            _last = report.Status;
        }

        if (report.Status != previous)
        {
            if (report.Status == HealthStatus.Healthy)
            {
                Log.Ready(logger);
            }
            else
            {
                Log.NotReady(logger, report.Status, string.Join("; ", report.Entries
                    .Where(entry => entry.Value.Status != HealthStatus.Healthy)
                    .Select(entry => $"{entry.Key}: {entry.Value.Description ?? entry.Value.Exception?.Message ?? entry.Value.Status.ToString()}")));
            }
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(report.Status.ToString());
    }
}
