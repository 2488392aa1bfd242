using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace OAuthClient.Internal;

/// <summary>
/// Attaches the client's token to requests for its API origins and, when the API answers 401, drops that
/// token and retries once with a new one.
/// </summary>
/// <remarks>
/// A cache hit takes the synchronous path: no lock, no async state machine, and the ready header value of
/// the token. The Polly retry pipeline only runs on a miss, or when the API answered 401 to the token the
/// attempt carried; the outcome of that first attempt is handed to it rather than sent again.
/// </remarks>
internal sealed partial class AccessTokenHandler : DelegatingHandler
{
    /// <summary>The category of the handler's log lines (events 200 to 202).</summary>
    public const string LogCategory = "OAuthClient.AccessTokenHandler";

    private static readonly ResiliencePropertyKey<Attempt> AttemptKey = new("OAuthClient.Attempt");

    private static readonly ResiliencePipeline<HttpResponseMessage> RetryOnceOnUnauthorized =
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                // A redirect may have taken the request to another host, or stripped our token: no new token answers that 401.
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Result is { } response && args.Context.Properties.GetValue(AttemptKey, null!).RejectedOurToken(response)),
                OnRetry = args =>
                {
                    args.Context.Properties.GetValue(AttemptKey, null!).PrepareRetry(args.Outcome.Result);
                    return default;
                },
            })
            .Build();

    private readonly IApiTokenClient _client;

    // The same client when one configuration serves it at a time: the hit path then reads that configuration from a field.
    private readonly ConfiguredApiTokenClient? _configured;
    private readonly ApiOrigin? _baseAddressOrigin;
    private readonly ILogger _logger;
    private readonly IDisposable? _owned;

    public AccessTokenHandler(IApiTokenClient client, ApiOrigin? baseAddressOrigin, ILogger logger, IDisposable? owned = null)
    {
        _client = client;
        _configured = client as ConfiguredApiTokenClient;
        _baseAddressOrigin = baseAddressOrigin;
        _logger = logger;
        _owned = owned;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var ours = true;
        if (TryFreshHit(request, out var token) || ((ours = IsOurs(request)) && _client.TryGetCachedToken(request, out token)))
        {
            request.Headers.Authorization = Attachable(token).AuthorizationHeader;
            var sending = base.SendAsync(request, cancellationToken);
            if (sending.IsCompletedSuccessfully && sending.Result.StatusCode != HttpStatusCode.Unauthorized)
            {
                return sending;
            }

            return ReplayableContent.Is(request.Content)
                ? AwaitHitAsync(request, sending, token, cancellationToken)
                : SendOnceAsync(request, sending, token, cancellationToken);
        }

        if (!ours)
        {
            return base.SendAsync(request, cancellationToken);
        }

        return ReplayableContent.Is(request.Content)
            ? SendWithRetryAsync(new Attempt(this, request, pending: null, token: null), cancellationToken)
            : SendOnceAsync(request, pending: null, token: null, cancellationToken);
    }

    /// <summary>
    /// The hit path of a client with one configuration at a time: a request with no Authorization header but ours, to a
    /// secure origin of the configuration as written, whose token the cheap check calls fresh. Anything else answers
    /// <see langword="false"/> and takes the full path, which applies every rule (and finds this same token when it is
    /// one only the full check can tell fresh).
    /// </summary>
    private bool TryFreshHit(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token)
    {
        if (_configured?.Current is { } configuration
            && request.Headers.Authorization is null or TokenHeaderValue
            && request.RequestUri is { } uri
            && IsSecureOriginByText(configuration.ApiOrigins, uri))
        {
            return _configured.Cache.TryGetCheap(configuration.Key, out token);
        }

        token = null;
        return false;
    }

    /// <summary>
    /// Tells whether the request is this handler's to authorize, and clears a header of ours it may not keep. An
    /// Authorization header the caller set is the caller's. One of ours on a request sent again (by an outer retry
    /// handler) is not: the request gets a fresh lookup and the 401 handling, as the first attempt did. A foreign origin
    /// never sees our token, not even one left from an earlier attempt that went elsewhere.
    /// </summary>
    private bool IsOurs(HttpRequestMessage request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization is not null and not TokenHeaderValue)
        {
            return false;
        }

        if (!ShouldAttachTo(request.RequestUri))
        {
            if (authorization is not null)
            {
                request.Headers.Authorization = null;
            }

            return false;
        }

        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _owned?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static async Task<HttpResponseMessage> SendWithRetryAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(AttemptKey, attempt);
        try
        {
            return await RetryOnceOnUnauthorized.ExecuteAsync(
                static (ctx, a) => a.SendAsync(ctx.CancellationToken), context, attempt).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool ShouldAttachTo(Uri? uri)
    {
        if (uri is null)
        {
            return false;
        }

        if (IsSecureOriginByText(_client.ApiOrigins, uri))
        {
            return true;
        }

        if (!IsApiOrigin(uri))
        {
            Log.ForeignOrigin(_logger, _client.Name, Log.Origin(uri));
            return false;
        }

        if (!Transport.IsSecure(uri))
        {
            Log.InsecureApiRequest(_logger, _client.Name, Log.Origin(uri));
            return false;
        }

        return true;
    }

    // The hot path: the URI's text starts with one of the client's secure origins, so nothing is parsed or logged.
    private bool IsSecureOriginByText(ApiOrigin[] origins, Uri uri)
    {
        if (origins.Length == 0)
        {
            return _baseAddressOrigin is { IsSecure: true } origin && origin.MatchesText(uri);
        }

        foreach (var origin in origins)
        {
            if (origin.IsSecure && origin.MatchesText(uri))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsApiOrigin(Uri uri)
    {
        var origins = _client.ApiOrigins;
        if (origins.Length == 0)
        {
            return (_baseAddressOrigin ?? throw NoApiOrigin()).Matches(uri);
        }

        foreach (var origin in origins)
        {
            if (origin.Matches(uri))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Gets or sets whether a <c>DpopHandler</c> follows this handler. A client without DPoP when its handlers
    /// were built has none, which saves every Bearer request a handler.
    /// </summary>
    internal bool DpopInChain { get; set; } = true;

    // Fails closed: a DPoP-bound token without a proof would be refused, and must never go out as it is.
    private AccessToken Attachable(AccessToken token) => !token.IsDpop || DpopInChain ? token : throw new InvalidOperationException(
        $"OAuthClient client '{_client.Name}' got a DPoP token, but its HttpClient handlers were built before DPoP was turned on. " +
        "New handlers (after the HttpClientFactory handler lifetime) send DPoP requests.");

    private InvalidOperationException NoApiOrigin() => new(
        $"OAuthClient client '{_client.Name}' does not know where its token may go: give the HttpClient a BaseAddress " +
        "when it is registered, or list the API origins in the options' ApiOrigins. With AddGrpcClient, which sets the " +
        "channel's address and not BaseAddress, add that address to ApiOrigins (o.ApiOrigins.Add(address)).");

    // A hit whose answer was not ready at once (a socket's never is): waits for it, and only a 401 to our token takes the
    // retry pipeline, so an ordinary answer costs one state machine, not the pipeline's.
    private async Task<HttpResponseMessage> AwaitHitAsync(
        HttpRequestMessage request, Task<HttpResponseMessage> sending, AccessToken token, CancellationToken cancellationToken)
    {
        var response = await sending.ConfigureAwait(false);
        return RejectedOurToken(request, response, token)
            ? await SendWithRetryAsync(new Attempt(this, request, Task.FromResult(response), token), cancellationToken).ConfigureAwait(false)
            : response;
    }

    // One attempt for content that cannot be sent twice; a 401 still drops the token the API rejected.
    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpRequestMessage request, Task<HttpResponseMessage>? pending, AccessToken? token, CancellationToken cancellationToken)
    {
        if (pending is null)
        {
            // With no token there is no request: the caller gets the token error, not a 401 from the API.
            token = await _client.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = Attachable(token).AuthorizationHeader;
            pending = base.SendAsync(request, cancellationToken);
        }

        var response = await pending.ConfigureAwait(false);
        DropIfRejected(request, response, token!);
        return response;
    }

    private void DropIfRejected(HttpRequestMessage request, HttpResponseMessage response, AccessToken token)
    {
        if (RejectedOurToken(request, response, token))
        {
            _client.Invalidate(request, token);
            Log.RejectedTokenNotRetried(_logger, _client.Name);
        }
    }

    /// <summary>
    /// Tells whether a 401 answers the token this attempt carried, where the token may go. After a redirect the request
    /// goes elsewhere, or carries no token (HttpClient and DpopHandler strip it): that 401 says nothing of our token.
    /// </summary>
    private bool RejectedOurToken(HttpRequestMessage request, HttpResponseMessage response, AccessToken? token) =>
        token is not null
        && IsRetryableUnauthorized(response)
        && request.Headers.Authorization is TokenHeaderValue sent && ReferenceEquals(sent.Token, token)
        && request.RequestUri is { } uri && IsApiOrigin(uri) && Transport.IsSecure(uri);

    private static bool IsRetryableUnauthorized(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return false;
        }

        // A token with too few scopes is not fixed by a new token of the same scopes (RFC 6750 §3.1).
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (challenge.Parameter?.Contains("insufficient_scope", StringComparison.OrdinalIgnoreCase) == true)
            {
                return false;
            }
        }

        return true;
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <summary>One request's way through the retry pipeline: which token it carries, and a first answer already under way.</summary>
    private sealed class Attempt(AccessTokenHandler handler, HttpRequestMessage request, Task<HttpResponseMessage>? pending, AccessToken? token)
    {
        private Task<HttpResponseMessage>? _pending = pending;
        private AccessToken? _token = token;

        public async ValueTask<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
        {
            if (_pending is { } first)
            {
                _pending = null;
                return await first.ConfigureAwait(false);
            }

            // With no token there is no request: the caller gets the token error, not a 401 from the API.
            _token = await handler._client.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = handler.Attachable(_token).AuthorizationHeader;
            return await handler.SendInnerAsync(request, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Tells whether the API rejected the token this attempt carried.</summary>
        public bool RejectedOurToken(HttpResponseMessage response) => handler.RejectedOurToken(request, response, _token);

        public void PrepareRetry(HttpResponseMessage? rejected)
        {
            rejected?.Dispose();
            if (_token is not null)
            {
                handler._client.Invalidate(request, _token);
            }

            Log.RetryingAfterUnauthorized(handler._logger, handler._client.Name);
        }
    }
}
