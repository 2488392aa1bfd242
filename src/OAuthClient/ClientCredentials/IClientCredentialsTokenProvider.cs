namespace OAuthClient;

/// <summary>Gets the client-credentials token of a named client, for code that does not call the API through HttpClient.</summary>
/// <remarks>Thread-safe. Shares its cache and its single in-flight request per client with the HttpClient handlers.</remarks>
public interface IClientCredentialsTokenProvider
{
    /// <summary>Gets a token that is not about to expire, from the cache or from the token endpoint.</summary>
    /// <param name="clientName">The name the client was registered under, as in <c>AddHttpClient(name)</c>.</param>
    /// <param name="cancellationToken">Stops this caller's wait; a token request other callers share goes on.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="TokenRequestException">No token could be had; the exception says why.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The client's options are missing or invalid.</exception>
    ValueTask<AccessToken> GetTokenAsync(string clientName, CancellationToken cancellationToken = default);

    /// <summary>Drops a token the API rejected, so the next call gets a new one.</summary>
    /// <param name="clientName">The name the client was registered under.</param>
    /// <param name="token">The rejected token; a newer token in the cache is kept.</param>
    void InvalidateToken(string clientName, AccessToken token);
}
