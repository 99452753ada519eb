using System.Security.Claims;
using EvolutionHub.Internal;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Hub.Tests;

/// <summary>A revocation that lands between a connection's token lookup and its registration still cuts it.</summary>
public sealed class HubConnectionRegistryTests
{
    [Fact]
    public void A_token_revoked_after_its_lookup_is_refused_at_registration()
    {
        var registry = new HubConnectionRegistry();
        var markBeforeLookup = registry.RevocationMark;
        Assert.Equal(0, registry.AbortTokenHolders("shop"));

        var late = new Caller("late");
        Assert.False(registry.TryAdd(late, "shop", markBeforeLookup));
        Assert.Equal(0, registry.AbortTokenHolders("shop"));
    }

    [Fact]
    public void Revocations_of_other_instances_or_before_the_lookup_do_not_refuse()
    {
        var registry = new HubConnectionRegistry();
        registry.AbortTokenHolders("shop");
        var mark = registry.RevocationMark;
        registry.AbortTokenHolders("other");

        var caller = new Caller("fresh");
        Assert.True(registry.TryAdd(caller, "shop", mark));
        Assert.Equal(1, registry.AbortTokenHolders("shop"));
        Assert.True(caller.Aborted);
    }

    private sealed class Caller(string connectionId) : HubCallerContext
    {
        public bool Aborted { get; private set; }

        public override string ConnectionId { get; } = connectionId;

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort() => Aborted = true;
    }
}
