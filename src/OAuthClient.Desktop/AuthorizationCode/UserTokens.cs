using System.Diagnostics.CodeAnalysis;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// The signed-in user's tokens: served from the shared <see cref="TokenCache"/>, refreshed with the stored
/// refresh token. The cache single-flights refreshes per key, so parallel 401s spend a rotating refresh token once.
/// </summary>
internal sealed class UserTokens : IApiTokenClient, ITokenSource
{
    private readonly InteractiveSignInOptions _options;
    private readonly ITokenStore _store;
    private readonly TokenCache _cache;
    private readonly TokenClient _tokenClient;
    private readonly AuthorizationServerResolver _server;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _ephemeralDpopKey;
    private volatile string? _rejected;
    private volatile string? _storedHere;

    public UserTokens(
        string name, InteractiveSignInOptions options, ITokenStore store, TokenCache cache, TokenClient tokenClient,
        AuthorizationServerResolver server, TimeProvider time, ILogger logger)
    {
        Name = name;
        _options = options;
        _store = store;
        _cache = cache;
        _tokenClient = tokenClient;
        _server = server;
        _time = time;
        _logger = logger;
        StoreKey = options.StoreKey
            ?? string.Join(' ', (options.Authority ?? options.AuthorizationEndpoint)?.AbsoluteUri, options.ClientId, options.Scope);
        Key = new TokenCacheKey(name, "interactive", StoreKey);
        ApiOrigins = options.ApiOrigins.Select(ApiOrigin.From).ToArray();
        Authenticator = new ClientAuthenticator(
            name, options.ClientId!, options.ClientAuthentication ?? (options.ClientSecret is null ? null : ClientAuthenticationMethod.ClientSecretBasic),
            options.ClientSecret, options.ClientAssertion, time);

        Dpop = DpopProofs.Create(options.Dpop, time);
        _ephemeralDpopKey = Dpop is not null && options.Dpop.Jwk is null && options.Dpop.Key is null;
        TokenType = Dpop is null ? "Bearer" : DpopProofs.Scheme;
    }

    /// <summary>Gets the DPoP key and nonces of this sign-in, stable for its life, or <see langword="null"/> for Bearer tokens.</summary>
    public DpopProofs? Dpop { get; }

    /// <summary>Gets the token type this sign-in uses: DPoP or Bearer. Tokens of the other type are never sent.</summary>
    public string TokenType { get; }

    /// <summary>Gets what authenticates the client on code redemption, refresh and revocation.</summary>
    public ClientAuthenticator Authenticator { get; }

    public string Name { get; }

    public string StoreKey { get; }

    public TokenCacheKey Key { get; }

    public ApiOrigin[] ApiOrigins { get; }

    public bool TryGetCachedToken([NotNullWhen(true)] out AccessToken? token) => _cache.TryGet(this, out token);

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        TryGetCachedToken(out var token)
            ? new ValueTask<AccessToken>(token)
            : new ValueTask<AccessToken>(_cache.GetOrAcquireAsync(this, cancellationToken));

    public void Invalidate(AccessToken rejected)
    {
        // A token the API rejected is not taken back from the store either.
        _rejected = rejected.Value;
        _cache.Remove(Key, rejected);
    }

    /// <summary>Stores a new grant, keeping the old refresh token when the server sent none, and forgets cached tokens.</summary>
    public async Task StoreAsync(TokenGrant grant, string? previousRefreshToken, CancellationToken cancellationToken)
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
                Scope = token.Scope,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<StoredTokens?> ReadStoredAsync(CancellationToken cancellationToken) => _store.ReadAsync(StoreKey, cancellationToken);

    /// <summary>Drops the cached token and the stored tokens.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        _cache.Remove(Key);
        await _store.RemoveAsync(StoreKey, cancellationToken).ConfigureAwait(false);
    }

    public TokenRequestContext Context(Uri endpoint) => new(
        Name, endpoint, _options.RefreshBeforeExpiry, _options.DefaultTokenLifetime, Retries: 0, RetryDelay: TimeSpan.Zero, _options.Scope,
        DpopBound: Dpop is not null);

    /// <summary>Sets the client id and credentials of a request to <paramref name="server"/>, and a fresh DPoP proof when DPoP is on.</summary>
    public async ValueTask AuthenticateAsync(ProtocolRequest request, AuthorizationServer server, CancellationToken cancellationToken)
    {
        await Authenticator.ApplyAsync(request, server.TokenEndpoint, server.Issuer, cancellationToken).ConfigureAwait(false);
        request.DPoPProofToken = Dpop?.CreateProof(HttpMethod.Post, server.TokenEndpoint, accessToken: null);
    }

    /// <summary>Sends a token request, asked once more with a fresh proof when a DPoP server wants a nonce.</summary>
    public Task<TokenResponse> SendTokenRequestAsync(AuthorizationServer server, Func<CancellationToken, Task<TokenResponse>> sendOnce, CancellationToken cancellationToken) =>
        Dpop is null ? sendOnce(cancellationToken) : Dpop.SendTokenRequestAsync(server.TokenEndpoint, Name, _logger, sendOnce, cancellationToken);

    /// <summary>Refreshes the access token; run by the cache, one at a time per key, and one process at a time when the store can lock.</summary>
    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        // Another process sharing the store may be refreshing with the same rotating refresh token: wait for it to
        // finish, so the read below finds what it stored instead of spending the refresh token a second time. A lock
        // that stays taken throws rather than refreshing unlocked, which would most likely end in invalid_grant.
        using var storeLock = _store is ITokenStoreLock lockable
            ? await lockable.AcquireLockAsync(StoreKey, cancellationToken).ConfigureAwait(false)
            : null;
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await RefreshAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var endpoint = _options.TokenEndpoint ?? _options.Authority;
            throw new TokenRequestException(
                $"Client '{Name}' could not refresh its token at {endpoint} within {_options.TokenRequestTimeout} (TokenRequestTimeout).",
                Name, endpoint, innerException: ex);
        }
    }

    // Runs inside the store's lock, when it has one, and within TokenRequestTimeout.
    private async Task<AccessToken> RefreshAsync(CancellationToken cancellationToken)
    {
        // Read again every time, inside the lock: another process sharing the store may have rotated the refresh token.
        var stored = await _store.ReadAsync(StoreKey, cancellationToken).ConfigureAwait(false);
        if (FromStore(stored) is { } fresh)
        {
            Log.StoredTokenReused(_logger, Name);
            return fresh;
        }

        if (stored?.RefreshToken is not { } refreshToken)
        {
            throw Required("no refresh token is stored", null);
        }

        if (!BoundToThisKey(stored))
        {
            // Bound to the generated key of the process that stored it (RFC 9449 §5): not spent on a request bound to fail.
            throw Required("the stored tokens are bound to the DPoP key of another process; set Dpop.Jwk or Dpop.Key to keep tokens across restarts", null);
        }

        var server = await _server.GetAsync(cancellationToken).ConfigureAwait(false);
        TokenGrant grant;
        try
        {
            grant = await _tokenClient.RequestGrantAsync(
                Context(server.TokenEndpoint), (Self: this, Server: server, RefreshToken: refreshToken),
                static (invoker, s, ct) => s.Self.SendRefreshAsync(invoker, s.Server, s.RefreshToken, ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TokenRequestException ex) when (ex.Error is "invalid_grant")
        {
            // Clear the store unless another process has already put a newer refresh token there.
            var now = await _store.ReadAsync(StoreKey, CancellationToken.None).ConfigureAwait(false);
            if (now?.RefreshToken is null || string.Equals(now.RefreshToken, refreshToken, StringComparison.Ordinal))
            {
                await _store.RemoveAsync(StoreKey, CancellationToken.None).ConfigureAwait(false);
            }

            throw Required("the server rejected the refresh token (invalid_grant)", ex);
        }

        // Stored before it is used: a crash after this point cannot lose a rotated refresh token.
        await StoreAsync(grant, refreshToken, CancellationToken.None).ConfigureAwait(false);
        Log.TokenRefreshed(_logger, Name, grant.RefreshToken is null ? "kept the refresh token" : "rotated the refresh token");
        return grant.AccessToken;
    }

    private Task<TokenResponse> SendRefreshAsync(HttpMessageInvoker invoker, AuthorizationServer server, string refreshToken, CancellationToken cancellationToken) =>
        SendTokenRequestAsync(
            server,
            async ct =>
            {
                using var request = new RefreshTokenRequest { Address = server.TokenEndpoint.AbsoluteUri, RefreshToken = refreshToken };
                await AuthenticateAsync(request, server, ct).ConfigureAwait(false);
                return await invoker.RequestRefreshTokenAsync(request, ct).ConfigureAwait(false);
            },
            cancellationToken);

    // A generated DPoP key lives in this process only: tokens another process stored (even after this one signed in, in a
    // shared store) are bound to its key. They are recognised by the refresh token (or access token) this process stored.
    private bool BoundToThisKey(StoredTokens stored) =>
        !_ephemeralDpopKey || string.Equals(stored.RefreshToken ?? stored.AccessToken, _storedHere, StringComparison.Ordinal);

    private AccessToken? FromStore(StoredTokens? stored)
    {
        // A token of the other type (stored before DPoP was turned on or off), or bound to another process's key, is never sent.
        if (stored is not { AccessToken: { } value, TokenType: { } type } || string.Equals(value, _rejected, StringComparison.Ordinal)
            || !string.Equals(type, TokenType, StringComparison.OrdinalIgnoreCase) || !BoundToThisKey(stored))
        {
            return null;
        }

        // The stored token's lifetime is unknown, so the whole margin applies; the refreshed token gets the clamped one.
        var token = new AccessToken(value, type, stored.AccessTokenExpiresAt, stored.AccessTokenExpiresAt - _options.RefreshBeforeExpiry, stored.Scope);
        return _time.GetUtcNow() < token.RefreshAt ? token : null;
    }

    private SignInRequiredException Required(string reason, Exception? inner)
    {
        Log.SignInRequired(_logger, Name, reason);
        return new SignInRequiredException($"Client '{Name}' must sign in again: {reason}.", inner);
    }
}
