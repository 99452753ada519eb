using EvolutionHub;

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

return await EvolutionHubHost.RunAsync(app);
