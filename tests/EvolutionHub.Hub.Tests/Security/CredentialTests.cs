using EvolutionHub.Internal.Authentication;

namespace EvolutionHub.Hub.Tests;

/// <summary>What a connection holds of its credential for its whole life, and what the hub reads back from it.</summary>
public sealed class CredentialTests
{
    [Fact]
    public void Global_key_connections_share_one_principal_which_reads_back_as_the_global_credential()
    {
        var principal = Credential.Global.ToPrincipal();

        Assert.Same(principal, new Credential(CredentialKind.Global).ToPrincipal());
        Assert.Equal(Credential.Global, Credential.FromPrincipal(principal));
    }

    [Fact]
    public void An_instance_tokens_principal_is_its_own_and_reads_back_with_its_instance_revocation_mark_and_token_hash()
    {
        var credential = new Credential(CredentialKind.Instance, "shop", RevocationMark: 7, TokenHash: TokenHash.Of("token-of-the-shop"));

        Assert.NotSame(credential.ToPrincipal(), credential.ToPrincipal());
        Assert.Equal(credential, Credential.FromPrincipal(credential.ToPrincipal()));
        Assert.Equal(Credential.Missing, Credential.FromPrincipal(null));
    }
}
