using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OAuthClient.Desktop;

/// <summary>Signs the user in through the system browser and keeps their access token fresh, for desktop and command-line apps.</summary>
/// <remarks>
/// Thread-safe; make one per app and keep it. Start with <c>await signIn.SignInSilentlyAsync() ?? await signIn.SignInAsync()</c>:
/// the stored sign-in when there is one, the browser (or a device code) only when there is none.
/// <see cref="GetAccessTokenAsync"/> never opens a browser: it throws <see cref="SignInRequiredException"/> when
/// <see cref="SignInAsync()"/> is needed.
/// </remarks>
public sealed class InteractiveSignIn : IDisposable
{
    private const string DefaultName = "default";

    private readonly string _name;
    private readonly TokenEndpoint _endpoint;
    private readonly SignInSession _session;
    private readonly UserTokenClient _tokens;
    private readonly RefreshTokenSource _source;
    private readonly AuthorizationCodeFlow _flow;
    private readonly IBrowser _browser;
    private readonly DeviceCodeFlow _deviceFlow;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IDisposable[] _owned;

    /// <summary>Initializes a new instance of the <see cref="InteractiveSignIn"/> class, without dependency injection.</summary>
    /// <param name="options">The sign-in settings.</param>
    /// <param name="tokenStore">Where tokens are kept; a <see cref="FileTokenStore"/> in the user's profile when omitted.</param>
    /// <param name="browser">Opens the sign-in page; the <see cref="SystemBrowser"/> when omitted.</param>
    /// <param name="backchannelHandler">Sends discovery, token and revocation requests; a <see cref="SocketsHttpHandler"/> of its own
    /// when omitted. Not disposed. Its automatic redirects are turned off: token requests never follow a redirect.</param>
    /// <param name="timeProvider">The clock for expiry and timeouts; the system clock when omitted.</param>
    /// <param name="loggerFactory">Where log lines go; nowhere when omitted.</param>
    /// <param name="keys">The client's key objects set in code (a certificate, a key, an assertion factory), when configuration cannot hold them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="backchannelHandler"/> follows redirects and is already in use.</exception>
    public InteractiveSignIn(
        InteractiveSignInOptions options,
        ITokenStore? tokenStore = null,
        IBrowser? browser = null,
        HttpMessageHandler? backchannelHandler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        ClientKeys? keys = null)
        : this(DefaultName, Validated(options, keys ??= new ClientKeys()), keys, tokenStore ?? new FileTokenStore(null, loggerFactory), browser ?? new SystemBrowser(),
            backchannelHandler is null ? Backchannel.Own() : Backchannel.Supplied(backchannelHandler), ownsBackchannel: true,
            timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, cache: null)
    {
    }

    internal InteractiveSignIn(
        string name, InteractiveSignInOptions options, ClientKeys keys, ITokenStore store, IBrowser browser, Backchannel backchannel, bool ownsBackchannel,
        TimeProvider time, ILoggerFactory loggers, TokenCache? cache)
    {
        var owned = new List<IDisposable>();
        if (ownsBackchannel)
        {
            owned.Add(backchannel);
        }

        if (cache is null)
        {
            var memory = new MemoryCache(new MemoryCacheOptions());
            owned.Add(memory);
            cache = new TokenCache(memory, time, loggers);
        }

        _name = name;
        _loggers = loggers;
        _logger = loggers.CreateLogger("OAuthClient.Desktop.InteractiveSignIn");
        Options = options;
        _endpoint = new TokenEndpoint(EndpointSettings(name, options, keys), backchannel, time, loggers.CreateLogger(TokenEndpoint.LogCategory));
        _session = new SignInSession(name, options, store, cache, _endpoint.Dpop, time);
        owned.Add(_session);
        _owned = [.. owned];
        _source = new RefreshTokenSource(name, options.Scope, _session, _endpoint, _logger);
        _tokens = new UserTokenClient(name, options.ApiOrigins.Select(ApiOrigin.From).ToArray(), cache, _source, _session);
        _browser = browser;
        _flow = new AuthorizationCodeFlow(name, options, browser, _endpoint, _session, time, _logger);
        _deviceFlow = new DeviceCodeFlow(name, options, _endpoint, _session, time, _logger);
    }

    /// <summary>Gets the settings this instance was built with.</summary>
    public InteractiveSignInOptions Options { get; }

    internal AuthorizationCodeFlow Flow => _flow;

    /// <summary>Opens the browser for the user to sign in, waits for the loopback redirect and stores the tokens.</summary>
    /// <param name="cancellationToken">Cancels the sign-in; the listener stops and its port is released.</param>
    /// <returns>The user's new access token, who signed in, and the scopes granted.</returns>
    /// <exception cref="AuthorizationFailedException">The server refused (such as <c>access_denied</c>), or its response failed a check.</exception>
    /// <exception cref="TimeoutException">No response arrived within <see cref="InteractiveSignInOptions.SignInTimeout"/>.</exception>
    /// <exception cref="TokenRequestException">Discovery or the code redemption failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SignInResult> SignInAsync(CancellationToken cancellationToken) => SignInAsync(devicePrompt: null, cancellationToken);

    /// <summary>Signs the user in the way <see cref="InteractiveSignInOptions.SignInMode"/> says: the browser where one opens, otherwise a device code.</summary>
    /// <returns>The user's new access token, who signed in, and the scopes granted.</returns>
    public Task<SignInResult> SignInAsync() => SignInAsync(devicePrompt: null, CancellationToken.None);

    /// <summary>Signs the user in the way <see cref="InteractiveSignInOptions.SignInMode"/> says, showing a device code with <paramref name="devicePrompt"/> when one is used.</summary>
    /// <param name="devicePrompt">Shows a device code to the user; standard error when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the sign-in.</param>
    /// <returns>The user's new access token, who signed in, and the scopes granted.</returns>
    /// <exception cref="AuthorizationFailedException">The server refused (such as <c>access_denied</c>), the code expired, or a response failed a check.</exception>
    /// <exception cref="TimeoutException">No browser response arrived within <see cref="InteractiveSignInOptions.SignInTimeout"/>.</exception>
    /// <exception cref="TokenRequestException">Discovery, the device request or the code redemption failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SignInResult> SignInAsync(Func<DeviceCodePrompt, CancellationToken, Task>? devicePrompt, CancellationToken cancellationToken = default)
    {
        var prompt = devicePrompt ?? WriteToConsole;
        switch (Options.SignInMode)
        {
            case SignInMode.DeviceCode:
                return await _deviceFlow.SignInAsync(prompt, cancellationToken).ConfigureAwait(false);
            case SignInMode.Auto when !_browser.CanOpen && await ServerHasDeviceFlowAsync(cancellationToken).ConfigureAwait(false):
                Log.SignInFallback(_logger, _name, "no browser can be opened here");
                return await _deviceFlow.SignInAsync(prompt, cancellationToken).ConfigureAwait(false);
        }

        BrowserFailedException failed;
        try
        {
            return await _flow.SignInAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrowserFailedException ex)
        {
            failed = ex;
        }

        if (Options.SignInMode == SignInMode.Auto && await ServerHasDeviceFlowAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.SignInFallback(_logger, _name, $"the browser failed ({failed.InnerException!.GetType().Name})");
            return await _deviceFlow.SignInAsync(prompt, cancellationToken).ConfigureAwait(false);
        }

        // No other way in: the caller gets what the browser threw, at once.
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.InnerException!);
        throw failed;
    }

    private async Task<bool> ServerHasDeviceFlowAsync(CancellationToken cancellationToken) =>
        (await _endpoint.GetServerAsync(cancellationToken).ConfigureAwait(false)).DeviceAuthorizationEndpoint is not null;

    /// <summary>
    /// Signs the user in with a device code (RFC 8628), for a terminal with no browser at hand (SSH, a container): the user
    /// opens the verification page on any device and enters the code; this waits, polling the server, and stores the tokens.
    /// </summary>
    /// <param name="prompt">Shows the user where to go and the code to enter; by default both are written to standard error.</param>
    /// <param name="cancellationToken">Cancels the sign-in at any point, the wait between polls included.</param>
    /// <returns>The user's new access token, who signed in, and the scopes granted.</returns>
    /// <exception cref="AuthorizationFailedException">The user declined (<c>access_denied</c>) or the code expired (<c>expired_token</c>).</exception>
    /// <exception cref="TokenRequestException">The server has no device authorization endpoint, or refused or failed otherwise.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SignInResult> SignInWithDeviceCodeAsync(Func<DeviceCodePrompt, CancellationToken, Task>? prompt = null, CancellationToken cancellationToken = default) =>
        _deviceFlow.SignInAsync(prompt ?? WriteToConsole, cancellationToken);

    private static Task WriteToConsole(DeviceCodePrompt prompt, CancellationToken cancellationToken) =>
        DeviceCodeConsole.WriteAsync(prompt, cancellationToken);

    /// <summary>
    /// Gets the signed-in user without asking them anything: from the cache, the store, or a refresh with the stored
    /// refresh token. Returns <see langword="null"/> when the user must sign in (<see cref="SignInAsync()"/>): nothing is
    /// stored, the server rejected the refresh token, or the tokens belong to another key.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait; a refresh under way goes on for the others.</param>
    /// <returns>The user's access token, account and scopes; or <see langword="null"/> when a sign-in is needed.</returns>
    /// <exception cref="TokenRequestException">The refresh failed for another reason (network, server error): signing in again would not help.</exception>
    /// <exception cref="TokenStoreLockTimeoutException">Another process kept the <see cref="FileTokenStore"/> locked for the whole
    /// <see cref="FileTokenStoreOptions.LockTimeout"/>. Retry; no sign-in is needed.</exception>
    public async Task<SignInResult?> SignInSilentlyAsync(CancellationToken cancellationToken = default)
    {
        // The account is the one that came with this very token, not the one in the store now: a sign-in or sign-out since
        // the token was read (here or in another process) puts another user there, or nobody. A token whose session ended
        // meanwhile, or that a refresh replaced, is asked for again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            AccessToken token;
            try
            {
                token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SignInRequiredException)
            {
                return null;
            }

            if (_source.TryGetAccount(token, out var account))
            {
                return new SignInResult(token, account, Options.Scope);
            }
        }

        // The session keeps changing under this call (sign-ins and sign-outs in a loop): no token can be named.
        return null;
    }

    /// <summary>Gets a fresh access token: cached, stored, or refreshed with the stored refresh token. Never opens a browser.</summary>
    /// <param name="cancellationToken">Stops this caller's wait; a refresh under way goes on for the others.</param>
    /// <returns>The user's access token.</returns>
    /// <exception cref="SignInRequiredException">No refresh token is stored, or the server rejected it; call <see cref="SignInAsync()"/>.</exception>
    /// <exception cref="TokenRequestException">The refresh failed for another reason (network, server error).</exception>
    /// <exception cref="TokenStoreLockTimeoutException">Another process kept the <see cref="FileTokenStore"/> locked for the whole
    /// <see cref="FileTokenStoreOptions.LockTimeout"/>; no refresh was attempted. Retry; no sign-in is needed.</exception>
    public ValueTask<AccessToken> GetAccessTokenAsync(CancellationToken cancellationToken = default) => _tokens.GetTokenAsync(cancellationToken);

    /// <summary>Revokes the refresh token (RFC 7009) when the server has a revocation endpoint, and clears the stored and cached tokens.</summary>
    /// <param name="cancellationToken">Cancels the revocation; the tokens are cleared anyway.</param>
    /// <returns>A task that completes once the tokens are gone.</returns>
    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        // The session ends now: a refresh that answers while the revocation runs stores nothing.
        _session.EndSession();
        var stored = await _session.ReadAsync(cancellationToken).ConfigureAwait(false);
        var revoked = false;
        try
        {
            if (stored?.RefreshToken is { } refreshToken)
            {
                revoked = await _endpoint.RevokeAsync(refreshToken, "refresh_token", cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // After any refresh under way has ended, and with the store's lock: nothing of this session is written back.
            await _session.ChangeSessionAsync(_session.ForgetAsync, CancellationToken.None).ConfigureAwait(false);
        }

        Log.SignedOut(_logger, _name, revoked);
    }

    /// <summary>Creates a handler that attaches the user's access token to requests for <see cref="InteractiveSignInOptions.ApiOrigins"/>.</summary>
    /// <param name="innerHandler">The handler that sends API requests; a new <see cref="SocketsHttpHandler"/> when omitted.</param>
    /// <returns>A handler for <c>new HttpClient(handler)</c>. It refreshes the token before expiry and on a 401 (retried once),
    /// and throws <see cref="SignInRequiredException"/> when the user must sign in again.</returns>
    /// <exception cref="InvalidOperationException"><see cref="InteractiveSignInOptions.ApiOrigins"/> is empty; use <see cref="CreateHttpClient"/>
    /// to name the API by its base address instead.</exception>
    public DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null)
    {
        if (_tokens.ApiOrigins.Length == 0)
        {
            throw new InvalidOperationException(
                "Set InteractiveSignInOptions.ApiOrigins to name the API before creating a handler without an HttpClientFactory, or use CreateHttpClient(baseAddress).");
        }

        return HandlerComposition.Compose(CreateHandler(baseAddressOrigin: null), CreateDpopHandler(), innerHandler);
    }

    /// <summary>
    /// Creates an <see cref="HttpClient"/> for the API at <paramref name="baseAddress"/> that attaches the user's access token
    /// to requests for that origin, as an HttpClientFactory client with a <see cref="HttpClient.BaseAddress"/> does; or, when
    /// <see cref="InteractiveSignInOptions.ApiOrigins"/> is set, to those origins instead.
    /// </summary>
    /// <param name="baseAddress">The API's base address: absolute, HTTPS unless loopback; its origin receives the token.</param>
    /// <param name="innerHandler">The handler that sends API requests; a new <see cref="SocketsHttpHandler"/> when omitted.</param>
    /// <returns>An HttpClient with <see cref="HttpClient.BaseAddress"/> set; disposing it disposes its handlers.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseAddress"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="baseAddress"/> is relative, or plain HTTP to a host other than loopback.</exception>
    public HttpClient CreateHttpClient(Uri baseAddress, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || !Transport.IsSecure(baseAddress))
        {
            // Scheme, host and port only: a careless address may carry a password or an API key.
            var shown = baseAddress.IsAbsoluteUri ? baseAddress.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "a relative address";
            throw new ArgumentException($"The API's base address must be absolute, and HTTPS unless it is loopback; got {shown}.", nameof(baseAddress));
        }

        return new HttpClient(HandlerComposition.Compose(CreateHandler(ApiOrigin.From(baseAddress)), CreateDpopHandler(), innerHandler)) { BaseAddress = baseAddress };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }
    }

    internal AccessTokenHandler CreateHandler(ApiOrigin? baseAddressOrigin) =>
        new(_tokens, baseAddressOrigin, _loggers.CreateLogger(AccessTokenHandler.LogCategory));

    /// <summary>Creates the handler that signs a proof for each DPoP request, or returns <see langword="null"/> when DPoP is off.</summary>
    internal DpopHandler? CreateDpopHandler() =>
        _endpoint.Dpop is { } proofs ? new DpopHandler(_name, () => proofs, _loggers.CreateLogger(DpopHandler.LogCategory)) : null;

    /// <summary>Makes the settings of the sign-in's token endpoint, shared by the code redemption, refreshes and revocation.</summary>
    internal static TokenEndpointSettings EndpointSettings(string name, InteractiveSignInOptions options, ClientKeys keys) => new()
    {
        ClientName = name,
        ClientId = options.ClientId!,
        Authority = options.Authority,
        TokenEndpoint = options.TokenEndpoint,
        AuthorizationEndpoint = options.AuthorizationEndpoint,
        RevocationEndpoint = options.RevocationEndpoint,
        Issuer = options.Issuer,
        NeedsAuthorizationEndpoint = true,
        ClientAuthentication = options.ClientAuthentication ?? (options.ClientSecret is null ? null : ClientAuthenticationMethod.ClientSecretBasic),
        ClientSecret = options.ClientSecret,
        ClientAssertion = options.ClientAssertion,
        Dpop = options.Dpop,
        Keys = keys,
        RequireHttps = options.RequireHttps,
        RefreshBeforeExpiry = options.RefreshBeforeExpiry,
        DefaultTokenLifetime = options.DefaultTokenLifetime,
        TokenRequestTimeout = options.TokenRequestTimeout,
        Retries = 0,
    };

    private static InteractiveSignInOptions Validated(InteractiveSignInOptions options, ClientKeys keys)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new InteractiveSignInOptionsValidator(new FixedOptionsMonitor<ClientKeys>(keys)).Validate(DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(DefaultName, typeof(InteractiveSignInOptions), result.Failures) : options;
    }
}
