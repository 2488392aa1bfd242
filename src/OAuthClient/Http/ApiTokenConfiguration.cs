namespace OAuthClient.Internal;

/// <summary>
/// One version of a client's configuration as the handler's hit path reads it: where the token may go and where it is
/// cached. Immutable; a change of options makes a new one.
/// </summary>
internal abstract class ApiTokenConfiguration(ApiOrigin[] apiOrigins, TokenCacheKey key)
{
    /// <summary>Gets the origins configured to receive the token; empty means the HttpClient's base address.</summary>
    public ApiOrigin[] ApiOrigins { get; } = apiOrigins;

    /// <summary>Gets the key of this configuration's token in the <see cref="TokenCache"/>.</summary>
    public TokenCacheKey Key { get; } = key;
}
