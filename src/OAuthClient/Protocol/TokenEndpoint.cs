using System.Diagnostics.CodeAnalysis;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace OAuthClient.Internal;

/// <summary>
/// The token endpoint of one configured client, shared by every flow: one backchannel, one discovery, one client
/// authentication, one DPoP proof and nonce retry, bounded retries of transient failures, one deadline, typed errors
/// and telemetry. Grants are data (<see cref="Grant"/>); a new flow adds a grant, never another road.
/// </summary>
/// <remarks>Thread-safe. Made once per version of a client's options; discovery is cached for its life.</remarks>
internal sealed partial class TokenEndpoint
{
    /// <summary>The category of every flow's token endpoint log lines (events 110 to 116).</summary>
    public const string LogCategory = "OAuthClient.TokenEndpoint";

    private readonly TokenEndpointSettings _settings;
    private readonly Backchannel _backchannel;
    private readonly ClientAuthenticator _authenticator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TokenEndpoint(TokenEndpointSettings settings, Backchannel backchannel, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _backchannel = backchannel;
        _time = time;
        _logger = logger;
        _authenticator = new ClientAuthenticator(
            settings.ClientName, settings.ClientId, settings.ClientAuthentication, settings.ClientSecret, settings.ClientAssertion, settings.Keys, time);
        Dpop = DpopProofs.Create(settings.Dpop, settings.Keys, time);
        _configured = !settings.NeedsDiscovery;
    }

    /// <summary>Gets the name of the client this endpoint serves, for log lines and errors.</summary>
    public string ClientName => _settings.ClientName;

    /// <summary>Gets a hash that changes whenever the client's credentials do; it reveals none of them.</summary>
    public string CredentialIdentity => _authenticator.Identity;

    /// <summary>Gets the client's DPoP key and nonces, or <see langword="null"/> when it uses Bearer tokens.</summary>
    public DpopProofs? Dpop { get; }

    /// <summary>Sends <paramref name="grant"/> and reads the answer, discovery and retries included, within <c>TokenRequestTimeout</c>.</summary>
    /// <exception cref="TokenRequestException">The server refused, failed, answered something that is no token, or too late.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TokenGrant> RequestAsync(Grant grant, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_settings.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var endpoint = _settings.TokenEndpoint ?? _settings.Authority!;
        try
        {
            var server = await GetServerAsync(linked.Token).ConfigureAwait(false);
            endpoint = server.TokenEndpoint;
            if (!Transport.IsSecure(endpoint))
            {
                Log.InsecureTokenEndpoint(_logger, ClientName, endpoint);
            }

            // WaitAsync: a part that ignores cancellation (an assertion factory that never answers) cannot hold the
            // caller past the deadline; the cache's flight then ends, and a later caller starts a new attempt.
            return await SendAsync(server, grant, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRequestException(
                $"Client '{ClientName}' could not get {grant.Description} from {endpoint} within {_settings.TokenRequestTimeout} (TokenRequestTimeout).",
                ClientName, endpoint, innerException: ex).Transient();
        }
    }

    /// <summary>Revokes <paramref name="token"/> (RFC 7009) when the server has a revocation endpoint, within <c>TokenRequestTimeout</c>.</summary>
    /// <returns>Whether the server confirmed; a missing endpoint, a refusal or no answer in time is <see langword="false"/>, and logged.</returns>
    public async Task<bool> RevokeAsync(string token, string tokenTypeHint, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_settings.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        Uri? endpoint = null;
        TokenRevocationResponse response;
        try
        {
            var server = await GetServerAsync(linked.Token).ConfigureAwait(false);
            if (server.RevocationEndpoint is not { } revocation)
            {
                return false;
            }

            endpoint = revocation;
            using var request = new TokenRevocationRequest { Address = endpoint.AbsoluteUri, Token = token, TokenTypeHint = tokenTypeHint };

            // The assertion names the token endpoint (or issuer), as for the other requests: what servers accept as their audience.
            await _authenticator.ApplyAsync(request, server.TokenEndpoint, Issuer(server), linked.Token).ConfigureAwait(false);
            response = await _backchannel.Invoker.RevokeTokenAsync(request, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A server that does not answer (discovery included) is a failed revocation, like one that refuses.
            Log.RevocationFailed(_logger, ClientName, endpoint ?? _settings.Authority!, null, "timeout");
            return false;
        }
        catch (TokenRequestException ex)
        {
            // Discovery failed: there is no revocation endpoint to ask.
            Log.RevocationFailed(_logger, ClientName, ex.Endpoint ?? _settings.Authority!, (int?)ex.StatusCode, "discovery failed");
            return false;
        }

        using var answered = response;
        if (Backchannel.FollowedRedirect(response.HttpResponse, endpoint, out var status, out _))
        {
            Log.RevocationFailed(_logger, ClientName, endpoint, (int)status, "redirect refused");
            return false;
        }

        if (!HasReadableBody(response) || response.IsError)
        {
            var error = HasReadableBody(response) ? response.Error : "not a JSON object";
            Log.RevocationFailed(_logger, ClientName, endpoint, response.HttpResponse is null ? null : (int)response.HttpStatusCode, error);
            return false;
        }

        return true;
    }

    private async Task<TokenGrant> SendAsync(ServerMetadata server, Grant grant, CancellationToken cancellationToken)
    {
        var endpoint = server.TokenEndpoint;
        using var activity = Telemetry.StartTokenRequest(ClientName, endpoint);
        var started = _time.GetTimestamp();
        try
        {
            var invoker = _backchannel.Invoker;
            using var response = await Retries<TokenResponse>().ExecuteAsync(
                static (s, ct) => s.Self.SendWithNonceAsync(s.Invoker, s.Server, s.Grant, ct),
                (Self: this, Invoker: invoker, Server: server, Grant: grant),
                cancellationToken).ConfigureAwait(false);

            var token = ReadToken(response, endpoint, grant);
            Log.TokenAcquired(_logger, ClientName, token.TokenType, token.Scope, token.ExpiresAt - _time.GetUtcNow());
            Telemetry.TokenRequestEnded(activity, ClientName, endpoint, _time.GetElapsedTime(started), errorType: null);
            return new TokenGrant(token, NullIfEmpty(response.RefreshToken), NullIfEmpty(response.IdentityToken));
        }
        catch (Exception ex)
        {
            // The OAuth error code or the exception type: both are safe to show, unlike messages or bodies.
            Telemetry.TokenRequestEnded(activity, ClientName, endpoint, _time.GetElapsedTime(started), (ex as TokenRequestException)?.Error ?? ex.GetType().Name);
            throw;
        }
    }

    // RFC 9449 §8: a server that wants a nonce answers use_dpop_nonce with one; it is asked once more, with a fresh
    // proof and a fresh client assertion, and a second refusal goes to the caller.
    private async ValueTask<TokenResponse> SendWithNonceAsync(HttpMessageInvoker invoker, ServerMetadata server, Grant grant, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(invoker, server, grant, cancellationToken).ConfigureAwait(false);
        if (Dpop is null)
        {
            return response;
        }

        var nonce = DpopProofs.ReadNonce(response.HttpResponse);
        Dpop.RememberNonce(server.TokenEndpoint, nonce);
        if (nonce is not null && HasReadableBody(response) && string.Equals(response.Error, DpopProofs.UseNonceError, StringComparison.Ordinal))
        {
            Log.TokenRequestDpopNonce(_logger, ClientName);
            response.Dispose();
            response = await SendOnceAsync(invoker, server, grant, cancellationToken).ConfigureAwait(false);
            Dpop.RememberNonce(server.TokenEndpoint, DpopProofs.ReadNonce(response.HttpResponse));
        }

        return response;
    }

    // A request message is sent once: each attempt builds its own, with a new assertion and a new proof.
    private async Task<TokenResponse> SendOnceAsync(HttpMessageInvoker invoker, ServerMetadata server, Grant grant, CancellationToken cancellationToken)
    {
        var endpoint = server.TokenEndpoint;
        using var request = new TokenRequest { Address = endpoint.AbsoluteUri, GrantType = grant.GrantType };
        foreach (var (name, value) in grant.Parameters)
        {
            request.Parameters.Add(name, value);
        }

        await _authenticator.ApplyAsync(request, endpoint, Issuer(server), cancellationToken).ConfigureAwait(false);
        if (Dpop is not null)
        {
            request.DPoPProofToken = Dpop.CreateProof(HttpMethod.Post, endpoint, accessToken: null);
        }

        var response = await invoker.RequestTokenAsync(request, cancellationToken).ConfigureAwait(false);
        if (Backchannel.FollowedRedirect(response.HttpResponse, endpoint, out var status, out var target))
        {
            response.Dispose();
            throw RedirectRefused(endpoint, status, target);
        }

        return response;
    }

    // Polly's AddRetry<TResult> asks the trimmer to keep every member of TResult (it validates its options by reflection):
    // the two response types named here keep theirs, so trimming and Native AOT leave the retries whole.
    private ResiliencePipeline<TResponse> Retries<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResponse>()
        where TResponse : ProtocolResponse
    {
        var builder = new ResiliencePipelineBuilder<TResponse> { TimeProvider = _time };
        if (_settings.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<TResponse>
            {
                MaxRetryAttempts = _settings.Retries,
                Delay = _settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Result is { } r && IsTransient(r)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    Log.TokenRequestRetry(_logger, ClientName, Describe(args.Outcome.Result), args.AttemptNumber + 2, args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private string? Issuer(ServerMetadata server) => server.Issuer ?? _settings.Authority?.AbsoluteUri;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
