namespace EvolutionHub;

/// <summary>The <c>Dashboard</c> section.</summary>
public sealed class DashboardOptions
{
    /// <summary>Serve the dashboard at <c>/dashboard</c> and its routes under <c>/api/dashboard</c> (global key).</summary>
    public bool Enabled { get; set; } = true;
}
