namespace OAuthClient.Internal;

/// <summary>Gets a new token for one cache key; the cache decides when to ask.</summary>
internal interface ITokenSource
{
    /// <summary>Gets the key under which this source's tokens are cached and single-flighted.</summary>
    TokenCacheKey Key { get; }

    /// <summary>Asks the server for a new token, within the source's own time limit.</summary>
    Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Tells whether <paramref name="token"/>, which this source returned, may still be cached: a sign-out or a new
    /// sign-in may have ended the session it belongs to while it was on its way. Asked under the cache's lock.
    /// </summary>
    bool MayCache(AccessToken token) => true;
}
