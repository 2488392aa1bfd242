namespace OAuthClient.Internal;

/// <summary>The protocol defaults every flow shares, in one place; each option documents the one it uses.</summary>
internal static class ProtocolDefaults
{
    /// <summary>How long before <c>expires_in</c> runs out a token is renewed.</summary>
    public static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromSeconds(60);

    /// <summary>The largest share of a token's lifetime that <see cref="RefreshBeforeExpiry"/> may take.</summary>
    public const double MaxRefreshShareOfLifetime = 0.25;

    /// <summary>The lifetime assumed when the token response has no usable <c>expires_in</c>.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The longest a token is kept, whatever <c>expires_in</c> says.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(24);

    /// <summary>How long one token acquisition may take, retries and discovery included.</summary>
    public static readonly TimeSpan TokenRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>TokenRequestTimeout</c> accepted.</summary>
    public static readonly TimeSpan MaxTokenRequestTimeout = TimeSpan.FromHours(1);

    /// <summary>How often a transient token-endpoint failure is retried.</summary>
    public const int TokenRequestRetries = 2;

    /// <summary>The first back-off delay between token request attempts; it doubles with each attempt.</summary>
    public static readonly TimeSpan TokenRequestRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest <c>Retry-After</c> that is waited out before the next attempt.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long a discovery document is trusted before it is read again.</summary>
    public static readonly TimeSpan DiscoveryCacheDuration = TimeSpan.FromHours(1);

    /// <summary>The largest discovery, token or revocation response read, unless the backchannel's HttpClient is configured otherwise.</summary>
    public const int MaxResponseSize = 64 * 1024;
}
