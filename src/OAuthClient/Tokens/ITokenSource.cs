namespace OAuthClient.Internal;

/// <summary>Gets a new token for one cache key; the cache decides when to ask.</summary>
internal interface ITokenSource
{
    /// <summary>Gets the key under which this source's tokens are cached and single-flighted.</summary>
    TokenCacheKey Key { get; }

    /// <summary>Asks the server for a new token, within the source's own time limit.</summary>
    Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken);
}
