namespace OAuthClient.Desktop;

/// <summary>Opens the authorization URL for the user; plug your own to use an embedded web view or a custom launcher.</summary>
public interface IBrowser
{
    /// <summary>Opens <paramref name="url"/>, or tells the user how to open it; returns once that is done, not when the sign-in ends.</summary>
    /// <param name="url">The authorization request URL. It carries no secret, but holds the state and PKCE challenge.</param>
    /// <param name="cancellationToken">Cancels the launch.</param>
    /// <returns>A task that completes when the browser was started or the URL shown.</returns>
    Task OpenAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>Gets whether this browser can open anything here; <see langword="true"/> unless it knows otherwise.</summary>
    /// <remarks>
    /// With <see cref="SignInMode.Auto"/> a sign-in uses a device code when this is <see langword="false"/>, or when
    /// <see cref="OpenAsync"/> throws, rather than waiting for a redirect that cannot come.
    /// </remarks>
    bool CanOpen => true;
}
