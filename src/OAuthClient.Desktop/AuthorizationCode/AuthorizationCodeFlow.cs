using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// One interactive sign-in: a fresh PKCE verifier, state and nonce, the loopback listener, the browser, the
/// checks of the response (state, RFC 9207 <c>iss</c>, nonce) and the code redemption.
/// </summary>
internal sealed class AuthorizationCodeFlow
{
    private readonly string _name;
    private readonly InteractiveSignInOptions _options;
    private readonly IBrowser _browser;
    private readonly TokenClient _tokenClient;
    private readonly AuthorizationServerResolver _server;
    private readonly UserTokens _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AuthorizationCodeFlow(
        string name, InteractiveSignInOptions options, IBrowser browser, TokenClient tokenClient,
        AuthorizationServerResolver server, UserTokens tokens, TimeProvider time, ILogger logger)
    {
        _name = name;
        _options = options;
        _browser = browser;
        _tokenClient = tokenClient;
        _server = server;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    internal LoopbackLimits Limits { get; init; } = LoopbackLimits.Default;

    public async Task<AccessToken> SignInAsync(CancellationToken cancellationToken)
    {
        var server = await _server.GetAsync(cancellationToken).ConfigureAwait(false);
        var request = AuthorizationRequest.Create(_options);
        using var listener = LoopbackListener.Start(_options.RedirectPort, Limits, _time, _logger);
        var redirectUri = listener.RedirectUri(_options.RedirectPath);
        var url = request.BuildUrl(server.AuthorizationEndpoint, redirectUri, _options, _tokens.Dpop?.Thumbprint);
        Log.SignInStarted(_logger, _name, $"http://127.0.0.1:{listener.Port}");

        var parameters = await WaitForResponseAsync(listener, url, request.State, cancellationToken).ConfigureAwait(false);
        var code = CheckResponse(parameters, server);
        var grant = await RedeemAsync(server, code, redirectUri, request.Verifier, cancellationToken).ConfigureAwait(false);

        if (request.Nonce is { } nonce && !IdToken.HasNonce(grant.IdToken, nonce))
        {
            throw Failed("invalid_nonce", "the ID token does not carry the nonce of this sign-in");
        }

        await _tokens.ForgetAsync(cancellationToken).ConfigureAwait(false);
        await _tokens.StoreAsync(grant, previousRefreshToken: null, cancellationToken).ConfigureAwait(false);
        Log.SignInSucceeded(_logger, _name);
        return grant.AccessToken;
    }

    // Bounded by TokenRequestTimeout like every other token request: a server that never answers must not hang the sign-in.
    private async Task<TokenGrant> RedeemAsync(AuthorizationServer server, string code, Uri redirectUri, string verifier, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await _tokenClient.RequestGrantAsync(
                _tokens.Context(server.TokenEndpoint),
                (Self: this, Server: server, Code: code, RedirectUri: redirectUri.AbsoluteUri, Verifier: verifier),
                static (invoker, s, ct) => s.Self.SendRedemptionAsync(invoker, s.Server, s.Code, s.RedirectUri, s.Verifier, ct),
                linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRequestException(
                $"Client '{_name}' could not redeem the sign-in code at {server.TokenEndpoint} within {_options.TokenRequestTimeout} (TokenRequestTimeout).",
                _name, server.TokenEndpoint, innerException: ex);
        }
    }

    private Task<TokenResponse> SendRedemptionAsync(
        HttpMessageInvoker invoker, AuthorizationServer server, string code, string redirectUri, string verifier, CancellationToken cancellationToken) =>
        _tokens.SendTokenRequestAsync(server, ct => SendRedemptionOnceAsync(invoker, server, code, redirectUri, verifier, ct), cancellationToken);

    private async Task<TokenResponse> SendRedemptionOnceAsync(
        HttpMessageInvoker invoker, AuthorizationServer server, string code, string redirectUri, string verifier, CancellationToken cancellationToken)
    {
        using var request = new AuthorizationCodeTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri, Code = code, RedirectUri = redirectUri, CodeVerifier = verifier,
        };

        // A public client sends its id in the body, with no secret (RFC 6749 §2.3, RFC 8252 §8.4); a confidential one its credentials.
        await _tokens.AuthenticateAsync(request, server, cancellationToken).ConfigureAwait(false);
        return await invoker.RequestAuthorizationCodeTokenAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyDictionary<string, string>> WaitForResponseAsync(
        LoopbackListener listener, Uri url, string state, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.SignInTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var waiting = listener.WaitForCallbackAsync(_options.RedirectPath, state, linked.Token);
        try
        {
            await _browser.OpenAsync(url, linked.Token).ConfigureAwait(false);
            return await waiting.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.SignInTimedOut(_logger, _name, _options.SignInTimeout);
            throw new TimeoutException(
                $"Client '{_name}': no sign-in response arrived within {_options.SignInTimeout} (SignInTimeout). Was the browser tab closed?", ex);
        }
        finally
        {
            // Whatever happened (browser failure, timeout), the listener stops and its port is free before this returns.
            await linked.CancelAsync().ConfigureAwait(false);
            await ((Task)waiting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private string CheckResponse(IReadOnlyDictionary<string, string> parameters, AuthorizationServer server)
    {
        // RFC 9207 §2.4: compare iss whenever it is present, and require it when the server advertises it.
        var hasIss = parameters.TryGetValue("iss", out var iss);
        if (hasIss && server.Issuer is not null && !string.Equals(iss, server.Issuer, StringComparison.Ordinal))
        {
            throw Failed("invalid_iss", $"the response comes from issuer '{iss}', not '{server.Issuer}' (RFC 9207)");
        }

        if (!hasIss && server.RequiresIssParameter)
        {
            throw Failed("invalid_iss", "the response has no iss parameter, which the server advertises (RFC 9207)");
        }

        if (parameters.TryGetValue("error", out var error))
        {
            var description = parameters.GetValueOrDefault("error_description");
            Log.SignInFailed(_logger, _name, error);
            throw new AuthorizationFailedException(
                $"Client '{_name}': the authorization server refused the sign-in with error '{error}'" +
                $"{(string.IsNullOrEmpty(description) ? "" : $" ({description})")}.",
                error, description);
        }

        return parameters.TryGetValue("code", out var code) && code.Length > 0
            ? code
            : throw Failed("invalid_response", "the response carries neither a code nor an error");
    }

    private AuthorizationFailedException Failed(string error, string problem)
    {
        Log.SignInFailed(_logger, _name, error);
        return new AuthorizationFailedException($"Client '{_name}': sign-in failed: {problem}.", error);
    }
}
