namespace OAuthClient.Internal;

/// <summary>
/// Identifies a token in this process: one key per version of a client's options (or per sign-in), so a change of
/// settings never finds the old tokens. Built once, so a cache lookup hashes nothing: the hash is computed up front
/// and equality usually stops at the reference.
/// </summary>
internal sealed class TokenCacheKey : IEquatable<TokenCacheKey>
{
    private readonly string? _text;
    private readonly int _hash;

    // Set for the key of one subject (a token exchange) only, so a client's key, of which there is one per configured
    // client, carries one reference more and not the digest.
    private readonly SubjectIdentity? _subject;

    /// <summary>
    /// Makes a key that equals only itself: the key of one version of one client's options, which that version's source
    /// holds, so no other key can name its tokens. It keeps no text: one per configured client, it stays small.
    /// </summary>
    public TokenCacheKey(string clientName)
    {
        ClientName = clientName;
        _hash = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    }

    public TokenCacheKey(string clientName, params string?[] parts)
    {
        ClientName = clientName;
        // Encoded without ambiguity: no value can run into its neighbour, whatever it holds.
        _text = KeyEncoding.Encode([clientName, .. parts]);
        _hash = StringComparer.Ordinal.GetHashCode(_text);
    }

    /// <summary>
    /// Makes the key of one subject within <paramref name="scope"/>: a version of one client's settings, compared by
    /// reference, so a change of settings never finds the old keys. The subject is known by its SHA-256
    /// <paramref name="digest"/> and its <paramref name="kind"/> (a token type); the key never holds the subject itself.
    /// All 256 bits are compared: two subjects share a key only if SHA-256 collides.
    /// </summary>
    public TokenCacheKey(string clientName, object scope, string kind, ReadOnlySpan<byte> digest)
    {
        ClientName = clientName;
        _subject = new SubjectIdentity(scope, kind, digest);
        _hash = (int)_subject.D0 ^ System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(scope);
    }

    public string ClientName { get; }

    /// <summary>
    /// Gets whether a token under this key that was read since it was stored is renewed at its renewal time by the
    /// <see cref="TokenCache"/> itself, with no request to start it. Set by the client's options, never for a subject's key.
    /// </summary>
    public bool RenewInBackground { get; init; }

    /// <summary>
    /// Gets whether this key is the one instance of its identity, so that <see cref="Slot"/> may hold its entry. A client's
    /// key is (one per version of its options); a subject's is not: several requests make equal keys, and a slot on one
    /// would outlive the entry when another drops it. Those keys always look the entry up.
    /// </summary>
    public bool HasSlot => _subject is null;

    /// <summary>
    /// The entry the <see cref="TokenCache"/> last stored or read under this key, so a hit reads a field
    /// instead of looking the key up. The cache's <c>IMemoryCache</c> stays the store: evicting the entry
    /// there clears this slot.
    /// </summary>
    internal CachedToken? Slot;

    public bool Equals(TokenCacheKey? other) =>
        ReferenceEquals(this, other)
        || (other is not null && other._hash == _hash
            && (_text is not null || _subject is not null)
            && string.Equals(other._text, _text, StringComparison.Ordinal)
            && (other._subject is null ? _subject is null : other._subject.Equals(_subject)));

    public override bool Equals(object? obj) => Equals(obj as TokenCacheKey);

    public override int GetHashCode() => _hash;

    // Keys are never shown: they may carry extra parameters a user considers private.
    public override string ToString() => $"TokenCacheKey({ClientName})";

    // The scope (by reference), the kind and all 256 bits of the digest.
    private sealed class SubjectIdentity(object scope, string kind, ReadOnlySpan<byte> digest)
    {
        private readonly object _scope = scope;
        private readonly string _kind = kind;

        public readonly ulong D0 = BitConverter.ToUInt64(digest);
        private readonly ulong _d1 = BitConverter.ToUInt64(digest[8..]);
        private readonly ulong _d2 = BitConverter.ToUInt64(digest[16..]);
        private readonly ulong _d3 = BitConverter.ToUInt64(digest[24..]);

        public bool Equals(SubjectIdentity? other) =>
            other is not null && ReferenceEquals(other._scope, _scope)
            && other.D0 == D0 && other._d1 == _d1 && other._d2 == _d2 && other._d3 == _d3
            && string.Equals(other._kind, _kind, StringComparison.Ordinal);
    }
}
