namespace OAuthClient.Desktop;

/// <summary>Opens the authorization URL for the user; plug your own to use an embedded web view or a custom launcher.</summary>
public interface IBrowser
{
    /// <summary>Opens <paramref name="url"/>, or tells the user how to open it; returns once that is done, not when the sign-in ends.</summary>
    /// <param name="url">The authorization request URL. It carries no secret, but holds the state and PKCE challenge.</param>
    /// <param name="cancellationToken">Cancels the launch.</param>
    /// <returns>A task that completes when the browser was started or the URL shown.</returns>
    Task OpenAsync(Uri url, CancellationToken cancellationToken);
}
