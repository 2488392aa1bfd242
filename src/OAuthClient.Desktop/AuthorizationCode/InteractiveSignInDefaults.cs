namespace OAuthClient.Desktop;

/// <summary>The defaults of <see cref="InteractiveSignInOptions"/>, in one place.</summary>
internal static class InteractiveSignInDefaults
{
    /// <summary>The path of the redirect URI on the loopback listener.</summary>
    public const string RedirectPath = "callback";

    /// <summary>How long the user has to finish signing in in the browser.</summary>
    public static readonly TimeSpan SignInTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long before it expires an access token is refreshed.</summary>
    public static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromSeconds(60);

    /// <summary>The lifetime assumed when a token response has no <c>expires_in</c>.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long one token request (code redemption, refresh or revocation) may take.</summary>
    public static readonly TimeSpan TokenRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long server metadata from discovery is trusted.</summary>
    public static readonly TimeSpan DiscoveryCacheDuration = TimeSpan.FromHours(1);
}
