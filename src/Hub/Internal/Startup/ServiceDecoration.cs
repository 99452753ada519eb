namespace EvolutionHub.Internal.Startup;

internal static class ServiceDecoration
{
    /// <summary>
    /// Wraps the last registration of <typeparamref name="TService"/> (however it was registered) in <paramref name="decorate"/>,
    /// with the same lifetime. Call after every registration that may replace it, such as the farm's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing registers <typeparamref name="TService"/>.</exception>
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var index = services.Select((descriptor, i) => (descriptor, i)).LastOrDefault(entry => entry.descriptor.ServiceType == typeof(TService) && !entry.descriptor.IsKeyedService);
        if (index.descriptor is not { } inner)
        {
            throw new InvalidOperationException($"No {typeof(TService).Name} is registered to decorate.");
        }

        services[index.i] = ServiceDescriptor.Describe(typeof(TService), provider => decorate(provider, Create<TService>(provider, inner)), inner.Lifetime);
        return services;
    }

    private static TService Create<TService>(IServiceProvider provider, ServiceDescriptor descriptor) => (TService)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
