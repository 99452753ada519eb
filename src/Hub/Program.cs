using EvolutionHub;

try
{
    await EvolutionHubApplication.Create(args).RunAsync();
    return 0;
}
catch (HubStartupException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 1;
}
