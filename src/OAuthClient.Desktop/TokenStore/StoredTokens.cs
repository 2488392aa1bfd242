namespace OAuthClient.Desktop;

/// <summary>The tokens of one signed-in user: the refresh token, and the last access token while it lasts.</summary>
/// <remarks><see cref="ToString"/> never shows a token.</remarks>
public sealed class StoredTokens
{
    /// <summary>Gets the refresh token, or <see langword="null"/> when the server issued none.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>Gets the last access token.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Gets the type of <see cref="AccessToken"/>, such as <c>Bearer</c>.</summary>
    public string? TokenType { get; init; }

    /// <summary>Gets when <see cref="AccessToken"/> expires.</summary>
    public DateTimeOffset AccessTokenExpiresAt { get; init; }

    /// <summary>Gets when <see cref="AccessToken"/> is due for renewal: its expiry less the renewal margin, clamped to a
    /// quarter of its lifetime as for every token. <see langword="null"/> in tokens stored by earlier versions.</summary>
    public DateTimeOffset? AccessTokenRefreshAt { get; init; }

    /// <summary>Gets the scopes granted.</summary>
    public string? Scope { get; init; }

    /// <summary>Gets who signed in, when the sign-in asked for <c>openid</c>. <see langword="null"/> in tokens stored by earlier versions.</summary>
    /// <remarks>
    /// An <see cref="ITokenStore"/> keeps it with the tokens: without it, the next run knows no account, and a refresh cannot
    /// check that its ID token names the same user. It is as trustworthy as the store: whoever can write the store can change it.
    /// </remarks>
    public UserAccount? Account { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"StoredTokens {{ RefreshToken = {(RefreshToken is null ? "none" : "[redacted]")}, AccessToken = {(AccessToken is null ? "none" : "[redacted]")}, " +
        $"AccessTokenExpiresAt = {AccessTokenExpiresAt:O}, Scope = {Scope} }}";
}
