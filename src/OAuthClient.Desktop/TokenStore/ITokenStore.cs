namespace OAuthClient.Desktop;

/// <summary>Keeps a signed-in user's tokens between calls, and between runs when the store is persistent.</summary>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface ITokenStore
{
    /// <summary>Reads the tokens stored under <paramref name="key"/>.</summary>
    /// <param name="key">Identifies the authority, client and scopes; <see cref="InteractiveSignIn"/> builds it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The tokens, or <see langword="null"/> when none are stored or they cannot be read.</returns>
    Task<StoredTokens?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Replaces the tokens stored under <paramref name="key"/>.</summary>
    /// <param name="key">Identifies the authority, client and scopes.</param>
    /// <param name="tokens">The tokens to keep.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes once the tokens are stored.</returns>
    Task WriteAsync(string key, StoredTokens tokens, CancellationToken cancellationToken);

    /// <summary>Removes the tokens stored under <paramref name="key"/>, if any.</summary>
    /// <param name="key">Identifies the authority, client and scopes.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes once the tokens are gone.</returns>
    Task RemoveAsync(string key, CancellationToken cancellationToken);
}
