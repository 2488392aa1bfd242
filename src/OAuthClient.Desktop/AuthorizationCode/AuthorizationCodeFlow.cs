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
    private readonly TokenEndpoint _endpoint;
    private readonly SignInSession _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AuthorizationCodeFlow(
        string name, InteractiveSignInOptions options, IBrowser browser, TokenEndpoint endpoint, SignInSession session, TimeProvider time, ILogger logger)
    {
        _name = name;
        _options = options;
        _browser = browser;
        _endpoint = endpoint;
        _session = session;
        _time = time;
        _logger = logger;
    }

    internal LoopbackLimits Limits { get; init; } = LoopbackLimits.Default;

    public async Task<SignInResult> SignInAsync(CancellationToken cancellationToken)
    {
        var server = await _endpoint.GetServerAsync(cancellationToken).ConfigureAwait(false);
        var request = AuthorizationRequest.Create(_options);
        using var listener = LoopbackListener.Start(_options.RedirectPort, Limits, _time, _logger);
        var redirectUri = listener.RedirectUri(_options.RedirectPath);
        var authorize = server.AuthorizationEndpoint ?? throw new InvalidOperationException($"Client '{_name}' knows no authorization endpoint.");
        var url = _options.UsePushedAuthorization || server.RequiresPushedAuthorization
            ? AuthorizationRequest.BuildPushedUrl(authorize, _options.ClientId!, await _endpoint.PushAuthorizationAsync(
                server, request.Parameters(redirectUri, _options, _endpoint.Dpop?.Thumbprint), cancellationToken).ConfigureAwait(false))
            : request.BuildUrl(authorize, redirectUri, _options, _endpoint.Dpop?.Thumbprint);
        Log.SignInStarted(_logger, _name, $"http://127.0.0.1:{listener.Port}");

        var parameters = await WaitForResponseAsync(listener, url, request.State, cancellationToken).ConfigureAwait(false);
        var code = CheckResponse(parameters, server);
        var grant = await _endpoint.RequestAsync(
            Grant.AuthorizationCode(code, redirectUri.AbsoluteUri, request.Verifier, _options.Scope), cancellationToken).ConfigureAwait(false);

        SignInResult result;
        try
        {
            result = await _session.StartAsync(grant, server.Issuer, request.Nonce, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidIdTokenException ex)
        {
            throw Failed(ex.Error, ex.Message);
        }

        Log.SignInSucceeded(_logger, _name);
        return result;
    }

    private async Task<IReadOnlyDictionary<string, string>> WaitForResponseAsync(
        LoopbackListener listener, Uri url, string state, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.SignInTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var waiting = listener.WaitForCallbackAsync(_options.RedirectPath, state, linked.Token);
        try
        {
            try
            {
                await _browser.OpenAsync(url, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The browser said it failed: no redirect will come, so the sign-in ends now (or falls back), not at SignInTimeout.
                throw new BrowserFailedException(ex);
            }

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

    private string CheckResponse(IReadOnlyDictionary<string, string> parameters, ServerMetadata server)
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

/// <summary>The <see cref="IBrowser"/> threw: carries what it threw, for the sign-in to fall back or rethrow.</summary>
internal sealed class BrowserFailedException(Exception inner) : Exception("The browser could not be opened.", inner);
