using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Internal.Connections.Subscribers;

internal static class LocalSubscribersServiceCollectionExtensions
{
    /// <summary>
    /// Puts <see cref="SubscriberTrackingLifetimeManager"/> around the hub's lifetime manager, whichever registration of
    /// <c>HubLifetimeManager&lt;&gt;</c> came last (the default one, or the Redis backplane's). Call after those.
    /// </summary>
    public static IServiceCollection TrackLocalSubscribers(this IServiceCollection services)
    {
        var inner = services.Last(descriptor => descriptor.ServiceType == typeof(HubLifetimeManager<>)).ImplementationType!.MakeGenericType(typeof(EventsHub));
        services.AddSingleton<HubLifetimeManager<EventsHub>>(provider => new SubscriberTrackingLifetimeManager(
            (HubLifetimeManager<EventsHub>)ActivatorUtilities.CreateInstance(provider, inner), provider.GetRequiredService<LocalSubscribers>()));
        return services;
    }
}
