using EvolutionHub;
using EvolutionHub.Internal.Startup;

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

return await EvolutionHubHost.RunAsync(app);
