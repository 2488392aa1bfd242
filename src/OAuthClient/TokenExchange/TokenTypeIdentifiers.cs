namespace OAuthClient;

/// <summary>The token type identifiers of RFC 8693 §3, for subject tokens and <see cref="TokenExchangeOptions.RequestedTokenType"/>.</summary>
public static class TokenTypeIdentifiers
{
    /// <summary>An OAuth 2.0 access token.</summary>
    public const string AccessToken = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>An OAuth 2.0 refresh token.</summary>
    public const string RefreshToken = "urn:ietf:params:oauth:token-type:refresh_token";

    /// <summary>An OpenID Connect ID token.</summary>
    public const string IdToken = "urn:ietf:params:oauth:token-type:id_token";

    /// <summary>A JSON Web Token (RFC 7519).</summary>
    public const string Jwt = "urn:ietf:params:oauth:token-type:jwt";
}
