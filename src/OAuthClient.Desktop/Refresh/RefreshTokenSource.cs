using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// Gets the signed-in user's access token from the store, or refreshes it with the stored refresh token through the
/// client's token endpoint. Run by the token cache, one at a time per sign-in, so parallel 401s spend a rotating
/// refresh token once; and one process at a time when the store can lock.
/// </summary>
internal sealed class RefreshTokenSource : ITokenSource
{
    private readonly string _name;
    private readonly string? _scope;
    private readonly SignInSession _session;
    private readonly TokenEndpoint _endpoint;
    private readonly ILogger _logger;

    // The last token this source returned, who it names, and the session it belongs to: written one refresh at a time,
    // read by the cache and by SignInSilentlyAsync at any time, hence one immutable object.
    private volatile Returned? _returned;

    public RefreshTokenSource(string name, string? scope, SignInSession session, TokenEndpoint endpoint, ILogger logger)
    {
        _name = name;
        _scope = scope;
        _session = session;
        _endpoint = endpoint;
        _logger = logger;
    }

    public TokenCacheKey Key => _session.Key;

    public bool MayCache(AccessToken token) =>
        _returned is { } returned && ReferenceEquals(returned.Token, token) && returned.Session == _session.Generation;

    /// <summary>
    /// Gets who <paramref name="token"/> names, when it is the token this source returned last and its session is still on;
    /// the store may name another user by then (a sign-in or sign-out since, here or in another process).
    /// </summary>
    public bool TryGetAccount(AccessToken token, out UserAccount? account)
    {
        var returned = _returned;
        var current = returned is not null && ReferenceEquals(returned.Token, token) && returned.Session == _session.Generation;
        account = current ? returned!.Account : null;
        return current;
    }

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        // This process's turn first (a sign-in or sign-out waits for it, and it for them), then the store's lock.
        using var turn = await _session.TakeRefreshTurnAsync(cancellationToken).ConfigureAwait(false);
        var session = _session.Generation;

        // Nothing stored at all: there is no refresh token to share with another process, so no lock (and no lock file, nor
        // folder, on a machine where the app never signed in). What another process stores from now on is read next time.
        if (_session.Store is ITokenStoreLock && await _session.ReadAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw Required("no refresh token is stored", null);
        }
        // Another process sharing the store may be refreshing with the same rotating refresh token: wait for it to
        // finish, so the read below finds what it stored instead of spending the refresh token a second time. A lock
        // that stays taken throws rather than refreshing unlocked, which would most likely end in invalid_grant.
        using var storeLock = _session.Store is ITokenStoreLock lockable
            ? await lockable.AcquireLockAsync(_session.StoreKey, cancellationToken).ConfigureAwait(false)
            : null;

        // Read again every time, inside the lock: another process sharing the store may have rotated the refresh token.
        var stored = await _session.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (_session.FreshAccessToken(stored) is { } fresh)
        {
            Log.StoredTokenReused(_logger, _name);
            _returned = new Returned(fresh, stored?.Account, session);
            return fresh;
        }

        if (stored?.RefreshToken is not { } refreshToken)
        {
            throw Required("no refresh token is stored", null);
        }

        if (!_session.BoundToThisKey(stored))
        {
            // Bound to the generated key of the process that stored it (RFC 9449 §5): not spent on a request bound to fail.
            throw Required("the stored tokens are bound to the DPoP key of another process; set Dpop.Jwk or ClientKeys.DpopKey to keep tokens across restarts", null);
        }

        // The issuer the ID token must name, read before the refresh token is spent: nothing that can fail (discovery read
        // again once its hour is up) stands between the answer and storing the rotated refresh token.
        var server = await _endpoint.GetServerAsync(cancellationToken).ConfigureAwait(false);
        TokenGrant grant;
        try
        {
            grant = await _endpoint.RequestAsync(Grant.RefreshToken(refreshToken, _scope), cancellationToken).ConfigureAwait(false);
        }
        catch (TokenRequestException ex) when (ex.Error is "invalid_grant")
        {
            // Clear the store unless another process has already put a newer refresh token there.
            var now = await _session.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            if (now?.RefreshToken is null || string.Equals(now.RefreshToken, refreshToken, StringComparison.Ordinal))
            {
                await _session.Store.RemoveAsync(_session.StoreKey, CancellationToken.None).ConfigureAwait(false);
            }

            throw Required("the server rejected the refresh token (invalid_grant)", ex);
        }

        if (_session.Generation != session)
        {
            // The user signed out, or signed in again, while this refresh was under way: its tokens belong to a session
            // that ended, and are neither stored nor served. The sign-in or sign-out waits for this refresh to end.
            throw Required("the session changed while its token was being refreshed", null);
        }

        UserAccount? account;
        try
        {
            // OpenID Connect Core §12.2: an ID token in a refresh answer names the same user, or nothing of it is kept.
            account = _session.ReadAccount(grant, server.Issuer, nonce: null, previous: stored.Account, refresh: true);
        }
        catch (InvalidIdTokenException ex)
        {
            await _session.Store.RemoveAsync(_session.StoreKey, CancellationToken.None).ConfigureAwait(false);
            throw Required($"the server's refresh answer was refused ({ex.Message})", ex);
        }

        // Stored before it is used: a crash after this point cannot lose a rotated refresh token.
        await _session.StoreAsync(grant, refreshToken, account, CancellationToken.None).ConfigureAwait(false);
        Log.TokenRefreshed(_logger, _name, grant.RefreshToken is null ? "kept the refresh token" : "rotated the refresh token");
        _returned = new Returned(grant.AccessToken, account, session);
        return grant.AccessToken;
    }

    private SignInRequiredException Required(string reason, Exception? inner)
    {
        Log.SignInRequired(_logger, _name, reason);
        return new SignInRequiredException($"Client '{_name}' must sign in again: {reason}.", inner);
    }

    private sealed record Returned(AccessToken Token, UserAccount? Account, int Session);
}
