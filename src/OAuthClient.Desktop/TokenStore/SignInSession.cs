namespace OAuthClient.Desktop;

/// <summary>
/// One sign-in's tokens in the <see cref="ITokenStore"/> and the token cache: what the sign-in writes, the refresh
/// reads and rotates, and the sign-out clears, under one store key and one cache key.
/// </summary>
internal sealed class SignInSession : IDisposable
{
    private readonly ITokenStore _store;
    private readonly TokenCache _cache;
    private readonly TimeSpan _refreshBeforeExpiry;
    private readonly TimeProvider _time;
    private readonly bool _ephemeralDpopKey;
    private readonly string _clientId;
    private readonly string? _scope;
    private readonly bool _asksForAccount;
    private volatile string? _rejected;
    private volatile string? _storedHere;
    private int _generation;

    // Serialises refreshes and session changes in this process, whatever the store: a refresh never runs while the
    // session changes, and always reads the session number it will be judged by.
    private readonly SemaphoreSlim _turn = new(1, 1);

    public SignInSession(string name, InteractiveSignInOptions options, ITokenStore store, TokenCache cache, DpopProofs? dpop, TimeProvider time)
    {
        _store = store;
        _cache = cache;
        _refreshBeforeExpiry = options.RefreshBeforeExpiry;
        _time = time;
        StoreKey = options.StoreKey ?? DefaultStoreKey(options);
        Key = new TokenCacheKey(name, "interactive", StoreKey);
        TokenType = dpop is not null ? DpopProofs.Scheme : "Bearer";
        _ephemeralDpopKey = dpop?.KeyIsGenerated ?? false;
        _clientId = options.ClientId!;
        _scope = options.Scope;
        _asksForAccount = (options.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal);
    }

    /// <summary>Gets the key of the tokens in the store.</summary>
    public string StoreKey { get; }

    /// <summary>Gets the key of the access token in the token cache.</summary>
    public TokenCacheKey Key { get; }

    /// <summary>Gets the token type this sign-in uses: DPoP or Bearer. Tokens of the other type are never sent.</summary>
    public string TokenType { get; }

    /// <summary>Gets the store, for its cross-process lock when it has one.</summary>
    public ITokenStore Store => _store;

    /// <summary>Gets the number of the current session: a sign-in or sign-out starts a new one.</summary>
    /// <remarks>A refresh that started under an older session must not write its tokens: they belong to a user who left.</remarks>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Builds the store key of a sign-in from everything that changes what its tokens are for: the server, the client,
    /// the scopes and the extra authorize parameters (an <c>audience</c> or <c>resource</c>). A JSON array, so that no
    /// value can run into its neighbour ("app one" + "api" is not "app" + "one api").
    /// </summary>
    public static string DefaultStoreKey(InteractiveSignInOptions options)
    {
        string?[] parts =
        [
            "oauthclient-signin-v2",
            (options.Authority ?? options.AuthorizationEndpoint)?.AbsoluteUri,
            options.TokenEndpoint?.AbsoluteUri,
            options.ClientId,
            options.Scope,
            .. options.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => new[] { p.Key, p.Value }),
        ];
        return KeyEncoding.Encode(parts);
    }

    /// <summary>Ends the current session: from now on, no refresh that started under it stores or serves its tokens.</summary>
    public void EndSession() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// Starts a new session (a sign-in or a sign-out) and runs <paramref name="change"/> once no refresh of the old one
    /// can write any more: a refresh already under way is waited for, and one that has not stored yet will not store.
    /// Holds the store's cross-process lock, when it has one, as a refresh does.
    /// </summary>
    public async Task ChangeSessionAsync(Func<CancellationToken, Task> change, CancellationToken cancellationToken)
    {
        EndSession();

        // A refresh under way holds the turn: this waits for it to end, and it stores nothing for the old session.
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A refresh of the old session that is still on its way to the cache is refused there (MayCache): the
            // session number moved on before this removal, under the cache's lock.
            using var storeLock = _store is ITokenStoreLock lockable
                ? await lockable.AcquireLockAsync(StoreKey, cancellationToken).ConfigureAwait(false)
                : null;
            _cache.Remove(Key);
            await change(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Takes this process's turn to refresh: no session change runs until it is disposed.</summary>
    public async Task<IDisposable> TakeRefreshTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_turn);
    }

    public Task<StoredTokens?> ReadAsync(CancellationToken cancellationToken) => _store.ReadAsync(StoreKey, cancellationToken);

    /// <summary>
    /// Reads who a grant is for from its ID token, checked, when the sign-in asks for <c>openid</c>; otherwise
    /// <see langword="null"/>. A refresh answer (<paramref name="refresh"/>) without an ID token, or with an expired one (the
    /// sign-in's, sent again by some servers), keeps <paramref name="previous"/>.
    /// </summary>
    /// <exception cref="InvalidIdTokenException">The ID token failed a check, or a sign-in that sent a nonce got none.</exception>
    public UserAccount? ReadAccount(TokenGrant grant, string? issuer, string? nonce, UserAccount? previous, bool refresh = false)
    {
        if (!_asksForAccount)
        {
            return null;
        }

        if (grant.IdToken is not { } idToken)
        {
            return nonce is null ? previous : throw new InvalidIdTokenException("the token response has no ID token, though openid was asked for", "invalid_id_token");
        }

        try
        {
            return IdToken.Read(idToken, _clientId, issuer, nonce, previous, _time.GetUtcNow());
        }
        catch (InvalidIdTokenException ex) when (ex.Expired && refresh)
        {
            // Some servers answer a refresh with the ID token of the sign-in again: it names the same user, who stays (expiry
            // is checked last, so that was checked). Tokens stored without an account (by an earlier version, or a store
            // that does not keep it) keep none, rather than signing the user out.
            return previous;
        }
    }

    /// <summary>
    /// Checks the ID token of a sign-in's grant, then starts a new session with its tokens and account: whatever was stored
    /// before is gone, and no refresh of it writes any more.
    /// </summary>
    /// <exception cref="InvalidIdTokenException">The ID token failed a check; nothing was stored, as the tokens may be meant for another client or user.</exception>
    public async Task<SignInResult> StartAsync(TokenGrant grant, string? issuer, string? nonce, CancellationToken cancellationToken)
    {
        var account = ReadAccount(grant, issuer, nonce, previous: null);
        await ChangeSessionAsync(
            async ct =>
            {
                await ForgetAsync(ct).ConfigureAwait(false);
                await StoreAsync(grant, previousRefreshToken: null, account, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return new SignInResult(grant.AccessToken, account, _scope);
    }

    /// <summary>Stores a new grant, keeping the old refresh token when the server sent none.</summary>
    public async Task StoreAsync(TokenGrant grant, string? previousRefreshToken, UserAccount? account, CancellationToken cancellationToken)
    {
        var token = grant.AccessToken;
        _storedHere = grant.RefreshToken ?? previousRefreshToken ?? token.Value;
        await _store.WriteAsync(
            StoreKey,
            new StoredTokens
            {
                RefreshToken = grant.RefreshToken ?? previousRefreshToken,
                AccessToken = token.Value,
                TokenType = token.TokenType,
                AccessTokenExpiresAt = token.ExpiresAt,
                AccessTokenRefreshAt = token.RefreshAt,
                Scope = token.Scope,
                Account = account,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the stored tokens; run inside <see cref="ChangeSessionAsync"/>, which drops the cached one.</summary>
    public Task ForgetAsync(CancellationToken cancellationToken) => _store.RemoveAsync(StoreKey, cancellationToken);

    /// <summary>Notes that the API rejected <paramref name="token"/>: it is dropped from the cache and not taken back from the store.</summary>
    public void Reject(AccessToken token)
    {
        _rejected = token.Value;
        _cache.Remove(Key, token);
    }

    /// <summary>Gets the stored access token when it is still fresh, of this sign-in's type and usable by this process.</summary>
    public AccessToken? FreshAccessToken(StoredTokens? stored)
    {
        // A token of the other type (stored before DPoP was turned on or off), or bound to another process's key, is never sent.
        if (stored is not { AccessToken: { } value, TokenType: { } type } || string.Equals(value, _rejected, StringComparison.Ordinal)
            || !string.Equals(type, TokenType, StringComparison.OrdinalIgnoreCase) || !BoundToThisKey(stored))
        {
            return null;
        }

        // One freshness rule everywhere: the renewal time the token endpoint gave the token when it arrived (the margin
        // clamped to a quarter of its lifetime). Tokens stored without one get the whole margin.
        var refreshAt = stored.AccessTokenRefreshAt is { } at && at <= stored.AccessTokenExpiresAt
            ? at
            : stored.AccessTokenExpiresAt - _refreshBeforeExpiry;
        var token = new AccessToken(value, type, stored.AccessTokenExpiresAt, refreshAt, stored.Scope);
        return _time.GetUtcNow() < token.RefreshAt ? token : null;
    }

    // A generated DPoP key lives in this process only: tokens another process stored (even after this one signed in, in a
    // shared store) are bound to its key. They are recognised by the refresh token (or access token) this process stored.
    public bool BoundToThisKey(StoredTokens stored) =>
        !_ephemeralDpopKey || string.Equals(stored.RefreshToken ?? stored.AccessToken, _storedHere, StringComparison.Ordinal);

    public void Dispose() => _turn.Dispose();

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
