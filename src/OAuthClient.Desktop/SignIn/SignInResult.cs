namespace OAuthClient.Desktop;

/// <summary>A signed-in user: their access token, who they are, and the scopes the server granted.</summary>
/// <remarks><see cref="ToString"/> never shows a token.</remarks>
public sealed class SignInResult
{
    internal SignInResult(AccessToken accessToken, UserAccount? account, string? requestedScope)
    {
        AccessToken = accessToken;
        Account = account;

        // RFC 6749 §5.1: a server may leave the scope out when it granted what was asked.
        Scopes = (accessToken.Scope ?? requestedScope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Gets the user's access token.</summary>
    public AccessToken AccessToken { get; }

    /// <summary>Gets who signed in, from the ID token; <see langword="null"/> when the scope does not hold <c>openid</c>.</summary>
    /// <remarks>
    /// Also <see langword="null"/> after <see cref="InteractiveSignIn.SignInSilentlyAsync"/> when the tokens were stored without
    /// an account (by an earlier version, or by an <see cref="ITokenStore"/> that drops <see cref="StoredTokens.Account"/>),
    /// until a refresh answer carries an ID token.
    /// </remarks>
    public UserAccount? Account { get; }

    /// <summary>Gets the scopes the server granted, which may be fewer than those asked for.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"SignInResult {{ Account = {Account?.DisplayName ?? "unknown"}, Scopes = {string.Join(' ', Scopes)}, AccessToken = {AccessToken} }}";
}
