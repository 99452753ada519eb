namespace EvolutionHub.Internal.Startup;

/// <summary>A node that could not start says why in one line: the exceptions' messages, without their stack traces.</summary>
internal static class StartupFailure
{
    public static string Describe(Exception exception)
    {
        var messages = exception is AggregateException aggregate
            ? aggregate.Flatten().InnerExceptions.Select(inner => inner.Message)
            : [exception.Message];
        var reason = string.Join("; ", messages.Select(message => message.ReplaceLineEndings(" ").Trim()).Distinct(StringComparer.Ordinal));
        return $"EvolutionHub could not start: {reason}";
    }
}
