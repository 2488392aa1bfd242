namespace OAuthClient.Internal;

/// <summary>The defaults of <see cref="TokenExchangeOptions"/>.</summary>
internal static class TokenExchangeDefaults
{
    /// <summary>How many exchanged tokens one HttpClient keeps at most.</summary>
    public const int MaxCachedTokens = 10_000;
}
