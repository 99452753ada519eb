using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EvolutionHub.Internal.Instances;

/// <summary>Readiness: the instance store answers.</summary>
internal sealed class StorageHealthCheck(IInstanceStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("The instance store does not answer.", exception);
        }
    }
}
