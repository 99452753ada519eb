namespace EvolutionHub.Internal.Startup;

/// <summary>
/// Until the node has started, drops the host's own error entries: a start-up failure is the exception that <c>Program</c>
/// prints as one line, and the host would log it a second time with its stack trace. Once started, the host's errors (a
/// background service failing, a failed shutdown) are logged as usual. The host logs nothing an operator needs below Warning.
/// </summary>
internal sealed class StartupFailureLogFilter
{
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    public bool Allows(LogLevel level) => level >= LogLevel.Warning && (_started || level < LogLevel.Error);

    public void Started() => _started = true;
}
