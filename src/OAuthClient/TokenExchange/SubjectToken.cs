namespace OAuthClient;

/// <summary>The token a request is made for: the user's token that a token exchange trades (RFC 8693 <c>subject_token</c>).</summary>
/// <remarks><see cref="ToString"/> never shows the token.</remarks>
public readonly struct SubjectToken
{
    /// <summary>Initializes a new instance of the <see cref="SubjectToken"/> struct.</summary>
    /// <param name="token">The token itself.</param>
    /// <param name="tokenType">Its type, one of <see cref="TokenTypeIdentifiers"/>; an access token unless said otherwise.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> or <paramref name="tokenType"/> is empty.</exception>
    public SubjectToken(string token, string tokenType = TokenTypeIdentifiers.AccessToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        Token = token;
        TokenType = tokenType;
    }

    /// <summary>Gets the token itself.</summary>
    public string Token { get; }

    /// <summary>Gets the token's type (RFC 8693 <c>subject_token_type</c>).</summary>
    public string TokenType { get; }

    /// <inheritdoc/>
    public override string ToString() => $"SubjectToken {{ TokenType = {TokenType}, Token = [redacted] }}";
}
