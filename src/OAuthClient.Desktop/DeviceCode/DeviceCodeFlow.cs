using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// The device authorization grant (RFC 8628): a device code from the shared token endpoint, the user told where to enter
/// the user code, then the token endpoint polled at the server's interval (5 s more on <c>slow_down</c>) until the user
/// approves, declines or the code expires. A transient failure of a poll (no answer in time, a network error, 5xx, 429)
/// backs off and polls on; any other failure ends the sign-in. The tokens then go to the same store, refresh and handler
/// as a browser sign-in.
/// </summary>
internal sealed class DeviceCodeFlow
{
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(1);

    private readonly string _name;
    private readonly InteractiveSignInOptions _options;
    private readonly TokenEndpoint _endpoint;
    private readonly SignInSession _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DeviceCodeFlow(string name, InteractiveSignInOptions options, TokenEndpoint endpoint, SignInSession session, TimeProvider time, ILogger logger)
    {
        _name = name;
        _options = options;
        _endpoint = endpoint;
        _session = session;
        _time = time;
        _logger = logger;
    }

    public async Task<SignInResult> SignInAsync(Func<DeviceCodePrompt, CancellationToken, Task> prompt, CancellationToken cancellationToken)
    {
        // The issuer the ID token must name, known before the user approves: discovery going stale while they do cannot lose the sign-in.
        var issuer = (await _endpoint.GetServerAsync(cancellationToken).ConfigureAwait(false)).Issuer;
        var authorization = await _endpoint.AuthorizeDeviceAsync(_options.Scope, _options.Parameters, cancellationToken).ConfigureAwait(false);
        var expiresAt = _time.GetUtcNow() + authorization.ExpiresIn;
        await prompt(
            new DeviceCodePrompt(authorization.UserCode, authorization.VerificationUri, authorization.VerificationUriComplete, expiresAt),
            cancellationToken).ConfigureAwait(false);
        Log.DeviceSignInStarted(_logger, _name, authorization.VerificationUri);

        var grant = await PollAsync(authorization, expiresAt, cancellationToken).ConfigureAwait(false);
        SignInResult result;
        try
        {
            result = await _session.StartAsync(grant, issuer, nonce: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidIdTokenException ex)
        {
            throw new AuthorizationFailedException($"Client '{_name}' could not sign in with a device code: {ex.Message}.", ex.Error);
        }

        Log.SignInSucceeded(_logger, _name);
        return result;
    }

    private async Task<TokenGrant> PollAsync(DeviceAuthorization authorization, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var interval = authorization.Interval;
        var wait = interval;
        TokenRequestException? failing = null;
        var request = Grant.DeviceCode(authorization.DeviceCode, _options.Scope);
        while (true)
        {
            // RFC 8628 §3.5: wait the interval before every request, the first included; never past the code's expiry.
            var left = expiresAt - _time.GetUtcNow();
            await Task.Delay(wait < left ? wait : Max(left, TimeSpan.Zero), _time, cancellationToken).ConfigureAwait(false);
            if (_time.GetUtcNow() >= expiresAt)
            {
                throw Failed("expired_token", null, failing);
            }

            try
            {
                return await _endpoint.RequestAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TokenRequestException ex) when (ex.Error == "authorization_pending")
            {
                (wait, failing) = (interval, null);
            }
            catch (TokenRequestException ex) when (ex.Error == "slow_down")
            {
                interval += SlowDownStep;
                (wait, failing) = (interval, null);
            }
            catch (TokenRequestException ex) when (ex.Error is "access_denied" or "expired_token")
            {
                throw Failed(ex.Error, ex.ErrorDescription, ex);
            }
            catch (TokenRequestException ex) when (ex.IsTransient)
            {
                // The user may be approving right now: a server that is down, busy or slow for a while must not cost the
                // sign-in. RFC 8628 §3.5 has the client slow down before retrying. Any other failure (invalid_client,
                // invalid_grant, a redirect, an answer that is no token) will not pass by itself and ends the sign-in.
                (wait, failing) = (BackOff(wait, interval, ex.RetryAfter), ex);
                Log.DevicePollFailed(_logger, _name, Reason(ex), wait, expiresAt);
            }
        }
    }

    // Twice the last wait, or the server's Retry-After, from the interval up to a minute: a server that is down is not asked
    // every few seconds, and one that is back is asked again within a minute. The interval itself (slow_down) is never cut.
    private static TimeSpan BackOff(TimeSpan wait, TimeSpan interval, TimeSpan? retryAfter) =>
        Max(interval, Min(retryAfter ?? wait * 2, MaxBackOff));

    private static string Reason(TokenRequestException ex) => ex switch
    {
        { StatusCode: { } status } => $"HTTP {(int)status}",
        { InnerException: OperationCanceledException } => "no answer within TokenRequestTimeout",
        _ => "network error",
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private AuthorizationFailedException Failed(string error, string? description, Exception? inner = null)
    {
        var problem = error == "access_denied" ? "the user declined the sign-in" : "the code expired before the user approved it";
        var failing = inner is TokenRequestException { IsTransient: true } last
            ? $"; the server could not be polled at the end ({Reason(last)}; see the inner exception)"
            : "";
        return new AuthorizationFailedException(
            $"Client '{_name}' could not sign in with a device code: {problem} ({error}){failing}.", error, description, inner);
    }
}
