namespace EvolutionHub.Bench.Load;

/// <summary>The straight line through two measurements: y = intercept + slope × x.</summary>
public readonly record struct LinearFit(double Slope, double Intercept)
{
    public double At(double x) => Intercept + Slope * x;

    /// <summary>The line through both points, or null when they share an x (no slope to tell).</summary>
    public static LinearFit? Through((double X, double Y) first, (double X, double Y) second)
    {
        if (first.X == second.X)
        {
            return null;
        }

        var slope = (second.Y - first.Y) / (second.X - first.X);
        return new LinearFit(slope, first.Y - slope * first.X);
    }
}
