namespace OAuthClient;

/// <summary>Represents an access token and when it expires.</summary>
/// <remarks>Immutable and safe to share between threads. <see cref="ToString"/> never shows the token.</remarks>
public sealed class AccessToken
{
    /// <summary>Initializes a new instance of the <see cref="AccessToken"/> class.</summary>
    /// <param name="value">The token itself, as sent after the scheme in the <c>Authorization</c> header.</param>
    /// <param name="tokenType">The token type, used as the <c>Authorization</c> scheme (for example <c>Bearer</c>).</param>
    /// <param name="expiresAt">When the token expires.</param>
    /// <param name="scope">The scopes granted, when the server said so.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> or <paramref name="tokenType"/> is empty.</exception>
    public AccessToken(string value, string tokenType, DateTimeOffset expiresAt, string? scope = null)
        : this(value, tokenType, expiresAt, expiresAt, scope)
    {
    }

    internal AccessToken(string value, string tokenType, DateTimeOffset expiresAt, DateTimeOffset refreshAt, string? scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        Value = value;
        TokenType = tokenType;
        ExpiresAt = expiresAt;
        RefreshAt = refreshAt;
        Scope = scope;
        IsDpop = string.Equals(tokenType, "DPoP", StringComparison.OrdinalIgnoreCase);
        AuthorizationHeader = new TokenHeaderValue(this);
    }

    /// <summary>Gets the token itself.</summary>
    public string Value { get; }

    /// <summary>Gets the token type, such as <c>Bearer</c>.</summary>
    public string TokenType { get; }

    /// <summary>Gets when the token expires, by the local clock at the time it was received.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Gets the scopes the server granted, or <see langword="null"/> when it did not say.</summary>
    public string? Scope { get; }

    /// <summary>Gets when the token should be replaced: its expiry less the renewal margin.</summary>
    internal DateTimeOffset RefreshAt { get; }

    /// <summary>Gets the ready <c>Authorization</c> header value, built once so requests share it.</summary>
    internal TokenHeaderValue AuthorizationHeader { get; }

    /// <summary>Gets whether the token is bound to a DPoP key, so every request must carry a proof.</summary>
    internal bool IsDpop { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"AccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, Value = [redacted] }}";
}
