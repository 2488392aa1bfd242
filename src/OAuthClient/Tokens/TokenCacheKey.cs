namespace OAuthClient.Internal;

/// <summary>
/// Identifies a token in this process: one key per version of a client's options (or per sign-in), so a change of
/// settings never finds the old tokens. Built once, so a cache lookup hashes nothing: the hash is computed up front
/// and equality usually stops at the reference.
/// </summary>
internal sealed class TokenCacheKey : IEquatable<TokenCacheKey>
{
    private readonly string _text;
    private readonly int _hash;

    public TokenCacheKey(string clientName, params string?[] parts)
    {
        ClientName = clientName;
        // Encoded without ambiguity: no value can run into its neighbour, whatever it holds.
        _text = KeyEncoding.Encode([clientName, .. parts]);
        _hash = StringComparer.Ordinal.GetHashCode(_text);
    }

    public string ClientName { get; }

    /// <summary>
    /// The entry the <see cref="TokenCache"/> last stored or read under this key, so a hit reads a field
    /// instead of looking the key up. The cache's <c>IMemoryCache</c> stays the store: evicting the entry
    /// there clears this slot.
    /// </summary>
    internal CachedToken? Slot;

    public bool Equals(TokenCacheKey? other) =>
        ReferenceEquals(this, other) || (other is not null && other._hash == _hash && string.Equals(other._text, _text, StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as TokenCacheKey);

    public override int GetHashCode() => _hash;

    // Keys are never shown: they may carry extra parameters a user considers private.
    public override string ToString() => $"TokenCacheKey({ClientName})";
}
