using System.Globalization;
using System.Security.Claims;

namespace EvolutionHub.Internal.Authentication;

internal enum CredentialKind
{
    /// <summary>No key was presented.</summary>
    Missing,

    /// <summary>A key was presented that is neither the global key nor an instance's token.</summary>
    Unknown,

    /// <summary>The global key, or an address of <c>Websocket:AllowedHosts</c>.</summary>
    Global,

    /// <summary>An instance's token: that instance only.</summary>
    Instance,
}

/// <summary>
/// Who a request or connection is, and so what it may reach. An instance token's credential carries the
/// <see cref="HubConnectionRegistry.RevocationMark"/> taken before the token was looked up, and the token's
/// <see cref="Authentication.TokenHash"/>: a revocation cuts the connections whose token is no longer their instance's.
/// </summary>
internal sealed record Credential(CredentialKind Kind, string? Instance = null, long RevocationMark = 0, string? TokenHash = null)
{
    private const string AuthenticationType = "EvolutionHub";
    private const string ScopeClaim = "evolutionhub/scope";
    private const string InstanceClaim = "evolutionhub/instance";
    private const string RevocationMarkClaim = "evolutionhub/revocation-mark";
    private const string TokenHashClaim = "evolutionhub/token-hash";

    public static Credential Missing { get; } = new(CredentialKind.Missing);

    public static Credential Unknown { get; } = new(CredentialKind.Unknown);

    public static Credential Global { get; } = new(CredentialKind.Global);

    // One for every global-key connection: nothing changes a connection's principal, and each would otherwise hold its own
    // claims (about 400 bytes) for its whole life.
    private static readonly ClaimsPrincipal GlobalPrincipal = Global.CreatePrincipal();

    public bool IsValid => Kind is CredentialKind.Global or CredentialKind.Instance;

    public bool IsGlobal => Kind == CredentialKind.Global;

    public bool Allows(string instance) => IsGlobal || (Kind == CredentialKind.Instance && Instance == instance);

    public ClaimsPrincipal ToPrincipal() => this == Global ? GlobalPrincipal : CreatePrincipal();

    private ClaimsPrincipal CreatePrincipal()
    {
        List<Claim> claims = [new(ClaimTypes.Name, Instance ?? Kind.ToString()), new(ScopeClaim, Kind.ToString())];
        if (Instance is not null)
        {
            claims.Add(new Claim(InstanceClaim, Instance));
            claims.Add(new Claim(RevocationMarkClaim, RevocationMark.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(TokenHashClaim, TokenHash ?? ""));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    public static Credential FromPrincipal(ClaimsPrincipal? user) =>
        Enum.TryParse<CredentialKind>(user?.FindFirst(ScopeClaim)?.Value, out var kind) && kind is CredentialKind.Global or CredentialKind.Instance
            ? new Credential(kind, user!.FindFirst(InstanceClaim)?.Value,
                long.TryParse(user.FindFirst(RevocationMarkClaim)?.Value, CultureInfo.InvariantCulture, out var mark) ? mark : 0,
                user.FindFirst(TokenHashClaim)?.Value)
            : Missing;
}
