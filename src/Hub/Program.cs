using EvolutionHub;
using EvolutionHub.Internal.Startup;
using StackExchange.Redis;

if (HubCommandLine.TryAnswer(args, Console.Out) is { } answered)
{
    return answered;
}

WebApplication app;
try
{
    app = EvolutionHubApplication.Create(args);
}
catch (HubStartupException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 1;
}
catch (Exception exception)
{
    Console.Error.WriteLine(StartupFailure.Describe(exception));
    return 1;
}

var stopping = app.Lifetime.ApplicationStopping;
var started = app.Lifetime.ApplicationStarted;
try
{
    await app.RunAsync();
}
catch (Exception exception) when ((exception is RedisException or RedisTimeoutException) && stopping.IsCancellationRequested)
{
    // Told to stop, the node did; only letting go of a Redis that no longer answers failed (SignalR's backplane
    // unsubscribes synchronously on dispose). What it leaves in Redis expires by itself: a clean stop all the same.
    Console.Error.WriteLine($"EvolutionHub stopped; Redis did not answer while the node let go of it: {exception.Message}");
}
catch (Exception exception) when (!started.IsCancellationRequested)
{
    // A busy port, an unreadable database…: one line, no stack trace.
    Console.Error.WriteLine(StartupFailure.Describe(exception));
    return 1;
}

return 0;
