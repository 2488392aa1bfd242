namespace OAuthClient;

/// <summary>Names what a client assertion's <c>aud</c> claim holds.</summary>
public enum ClientAssertionAudience
{
    /// <summary>The token endpoint's URL, as RFC 7523 §3 and OpenID Connect Core §9 describe.</summary>
    TokenEndpoint = 0,

    /// <summary>The authorization server's issuer identifier from its discovery document, as FAPI 2.0 requires; needs <see cref="ClientCredentialsOptions.Authority"/>.</summary>
    Issuer = 1,
}
