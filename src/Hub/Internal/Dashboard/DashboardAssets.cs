namespace EvolutionHub.Internal.Dashboard;

/// <summary>The dashboard's page, script and style sheet, embedded in the hub's assembly (no CDN: it works offline).</summary>
internal sealed class DashboardAssets
{
    public DashboardAssets()
    {
        Page = Read("index.html");
        Script = Read("dashboard.js");
        Style = Read("dashboard.css");
    }

    public byte[] Page { get; }

    public byte[] Script { get; }

    public byte[] Style { get; }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"Dashboard/{name}")
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in the hub.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
