namespace OAuthClient.Desktop;

/// <summary>The defaults of <see cref="InteractiveSignInOptions"/>: the sign-in's own, and the shared protocol defaults it uses.</summary>
internal static class InteractiveSignInDefaults
{
    /// <summary>The path of the redirect URI on the loopback listener.</summary>
    public const string RedirectPath = "callback";

    /// <summary>How long the user has to finish signing in in the browser.</summary>
    public static readonly TimeSpan SignInTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long before it expires an access token is refreshed.</summary>
    public static readonly TimeSpan RefreshBeforeExpiry = ProtocolDefaults.RefreshBeforeExpiry;

    /// <summary>The lifetime assumed when a token response has no <c>expires_in</c>.</summary>
    public static readonly TimeSpan TokenLifetime = ProtocolDefaults.TokenLifetime;

    /// <summary>How long one token request (code redemption, refresh or revocation) may take.</summary>
    public static readonly TimeSpan TokenRequestTimeout = ProtocolDefaults.TokenRequestTimeout;
}
