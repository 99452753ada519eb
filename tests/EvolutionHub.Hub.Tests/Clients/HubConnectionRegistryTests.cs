using System.Security.Claims;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Connections;
using EvolutionHub.Internal.Instances;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// Revocation cuts the holders of a token that is no longer their instance's, including one whose registration a
/// revocation overtook, and never a holder of the instance's current token.
/// </summary>
public sealed class HubConnectionRegistryTests
{
    private static readonly string OldToken = TokenHash.Of("old-token");
    private static readonly string NewToken = TokenHash.Of("new-token");

    [Fact]
    public void A_holder_registered_after_its_instance_was_checked_must_be_checked_again()
    {
        var registry = new HubConnectionRegistry();
        var markBeforeLookup = registry.RevocationMark;
        Assert.Equal(0, registry.AbortHoldersExcept("shop", NewToken));

        Assert.True(registry.Add(new Caller("late"), "shop", OldToken, markBeforeLookup));
    }

    [Fact]
    public void Checks_of_other_instances_or_before_the_lookup_need_no_second_check()
    {
        var registry = new HubConnectionRegistry();
        registry.AbortHoldersExcept("shop", null);
        var mark = registry.RevocationMark;
        registry.AbortHoldersExcept("other", null);

        Assert.False(registry.Add(new Caller("fresh"), "shop", OldToken, mark));
    }

    [Fact]
    public void A_check_cuts_the_holders_of_the_old_token_and_keeps_those_of_the_current_one()
    {
        var registry = new HubConnectionRegistry();
        var (old, current, otherInstance) = (new Caller("old"), new Caller("current"), new Caller("other"));
        registry.Add(old, "shop", OldToken, registry.RevocationMark);
        registry.Add(current, "shop", NewToken, registry.RevocationMark);
        registry.Add(otherInstance, "other", OldToken, registry.RevocationMark);

        Assert.Equal(1, registry.AbortHoldersExcept("shop", NewToken));
        Assert.True(old.Aborted);
        Assert.False(current.Aborted);
        Assert.False(otherInstance.Aborted);

        // Deleted: no token of the instance holds any more.
        Assert.Equal(1, registry.AbortHoldersExcept("shop", null));
        Assert.True(current.Aborted);
        Assert.False(otherInstance.Aborted);
    }

    [Fact]
    public async Task A_connection_that_looked_up_the_new_token_before_the_rotation_was_revoked_is_admitted_and_one_with_the_old_token_is_not()
    {
        using var store = NewStore();
        var registry = new HubConnectionRegistry();
        var revocation = new TokenRevocation(registry, store, NullLogger<TokenRevocation>.Instance);
        await store.SetTokenAsync("shop", "old-token");

        // Both connections looked their token up (the old one just before the rotation, the new one just after it); the
        // rotation's revocation then ran before either registered.
        var mark = registry.RevocationMark;
        Assert.Equal(TokenChange.Rotated, await store.SetTokenAsync("shop", "new-token"));
        Assert.Equal(0, await revocation.RevokeAsync("shop"));

        var withNewToken = new Caller("new");
        var withOldToken = new Caller("old");
        Assert.True(await revocation.AdmitAsync(withNewToken, new Credential(CredentialKind.Instance, "shop", mark, NewToken)));
        Assert.False(await revocation.AdmitAsync(withOldToken, new Credential(CredentialKind.Instance, "shop", mark, OldToken)));

        // Only the admitted one is held: deleting the instance cuts it, and nothing else.
        await store.DeleteTokenAsync("shop");
        Assert.Equal(1, await revocation.RevokeAsync("shop"));
        Assert.True(withNewToken.Aborted);
    }

    [Fact]
    public async Task A_recheck_cuts_the_holders_of_tokens_changed_without_a_revocation_reaching_this_node()
    {
        using var store = NewStore();
        var registry = new HubConnectionRegistry();
        var revocation = new TokenRevocation(registry, store, NullLogger<TokenRevocation>.Instance);
        await store.SetTokenAsync("deleted", "deleted-token");
        await store.SetTokenAsync("rotated", "old-token");
        await store.SetTokenAsync("kept", "kept-token");
        var (deleted, rotated, kept) = (new Caller("deleted"), new Caller("rotated"), new Caller("kept"));
        await revocation.AdmitAsync(deleted, new Credential(CredentialKind.Instance, "deleted", registry.RevocationMark, TokenHash.Of("deleted-token")));
        await revocation.AdmitAsync(rotated, new Credential(CredentialKind.Instance, "rotated", registry.RevocationMark, OldToken));
        await revocation.AdmitAsync(kept, new Credential(CredentialKind.Instance, "kept", registry.RevocationMark, TokenHash.Of("kept-token")));

        await store.DeleteTokenAsync("deleted");
        await store.SetTokenAsync("rotated", "new-token");

        Assert.Equal(2, await revocation.RecheckAllAsync(CancellationToken.None));
        Assert.True(deleted.Aborted);
        Assert.True(rotated.Aborted);
        Assert.False(kept.Aborted);
    }

    private static SqliteInstanceStore NewStore() =>
        new(Options.Create(new StorageOptions { Path = HubServer.NewStoragePath() }), new HostingEnvironment { ContentRootPath = Path.GetTempPath() });

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
