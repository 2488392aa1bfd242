using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Internal;

/// <summary>
/// Sits inside <see cref="AccessTokenHandler"/>: signs a fresh DPoP proof for each request that carries a DPoP token,
/// answers the API's <c>use_dpop_nonce</c> once, and follows redirects itself so that neither the token nor the
/// proof reaches the redirect's target. Requests with a Bearer token pass straight through.
/// </summary>
internal sealed class DpopHandler : DelegatingHandler
{
    /// <summary>The category of the DPoP handler's log lines (events 203 and 204).</summary>
    public const string LogCategory = "OAuthClient.DpopHandler";

    private const int DefaultMaxRedirects = 50;

    // Set on a request once a redirect moved it: a retry of it (after a 401) must not carry credentials to the new target.
    private static readonly HttpRequestOptionsKey<bool> Redirected = new("OAuthClient.Dpop.Redirected");

    private readonly string _clientName;
    private readonly Func<DpopProofs?> _proofs;
    private readonly ILogger _logger;
    private int _maxRedirects = DefaultMaxRedirects;
    private volatile bool _controlsRedirects;

    /// <param name="clientName">The client's name, for log lines and errors.</param>
    /// <param name="proofs">Gets the client's current DPoP key and nonces; <see langword="null"/> when it no longer uses DPoP.</param>
    /// <param name="logger">Where log lines go.</param>
    public DpopHandler(string clientName, Func<DpopProofs?> proofs, ILogger logger)
    {
        _clientName = clientName;
        _proofs = proofs;
        _logger = logger;
    }

    /// <summary>
    /// Turns off automatic redirects in <paramref name="primary"/>, so that this handler follows them itself. HttpClient
    /// drops <c>Authorization</c> on a redirect but would forward the <c>DPoP</c> header, to any host. A transport the
    /// application set not to follow redirects keeps that choice: the 3xx goes back to the caller.
    /// </summary>
    /// <returns><see langword="false"/> when the primary handler was already in use and cannot be changed.</returns>
    public bool TakeOverRedirects(HttpMessageHandler? primary)
    {
        // The transport that follows redirects may sit behind the caller's own delegating handlers (logging, metrics).
        while (primary is DelegatingHandler { InnerHandler: { } inner })
        {
            primary = inner;
        }

        var follow = true;
        try
        {
            switch (primary)
            {
                case SocketsHttpHandler sockets:
                    _maxRedirects = sockets.MaxAutomaticRedirections;
                    follow = sockets.AllowAutoRedirect;
                    if (follow)
                    {
                        sockets.AllowAutoRedirect = false;
                    }

                    break;
                case HttpClientHandler client:
                    _maxRedirects = client.MaxAutomaticRedirections;
                    follow = client.AllowAutoRedirect;
                    if (follow)
                    {
                        client.AllowAutoRedirect = false;
                    }

                    break;
                default:
                    // Other primary handlers (test doubles, custom transports) hand 3xx answers up; they are followed here.
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        if (!follow)
        {
            _maxRedirects = 0;
        }

        _controlsRedirects = true;
        return true;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Route(request) is { } dpop
            ? SendAndFollowAsync(request, dpop, sync: false, cancellationToken).AsTask()
            : base.SendAsync(request, cancellationToken);

    // HttpClient.Send: the same proofs and redirects, every step synchronous.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Route(request) is not { } dpop)
        {
            return base.Send(request, cancellationToken);
        }

        var sending = SendAndFollowAsync(request, dpop, sync: true, cancellationToken);
        return sending.IsCompleted ? sending.Result : sending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Returns whether the request needs a proof, or <see langword="null"/> when it passes through untouched.</summary>
    private bool? Route(HttpRequestMessage request)
    {
        // Only our own DPoP token gets a proof signed with the client's key: a DPoP header the caller set for any host
        // passes as it is, so no caller can have the key sign for an htu or ath of its choosing.
        var dpop = request.Headers.Authorization is TokenHeaderValue { Token.IsDpop: true };
        if (dpop && request.Options.TryGetValue(Redirected, out var redirected) && redirected)
        {
            request.Headers.Authorization = null;
            dpop = false;
        }

        if (!_controlsRedirects)
        {
            // Fail closed: with automatic redirects on, the proof would follow a redirect to any host.
            return dpop ? throw new InvalidOperationException(
                $"OAuthClient client '{_clientName}' uses DPoP, but its HttpClient handlers were built before DPoP was turned on. " +
                "New handlers (after the HttpClientFactory handler lifetime) send DPoP requests.") : null;
        }

        return dpop;
    }

    private ValueTask<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, bool sync, CancellationToken cancellationToken) =>
        sync ? new(base.Send(request, cancellationToken)) : new(base.SendAsync(request, cancellationToken));

    private async ValueTask<HttpResponseMessage> SendAndFollowAsync(HttpRequestMessage request, bool dpop, bool sync, CancellationToken cancellationToken)
    {
        var response = dpop
            ? await SendWithProofAsync(request, sync, cancellationToken).ConfigureAwait(false)
            : await SendInnerAsync(request, sync, cancellationToken).ConfigureAwait(false);

        for (var redirects = 0; redirects < _maxRedirects && RedirectTarget(response, request.RequestUri!) is { } target; redirects++)
        {
            // Like HttpClient's own redirects, minus the gap: neither the token nor a proof goes along, to any host.
            var status = response.StatusCode;
            if (!ChangesToGet(status, request.Method) && !ReplayableContent.Is(request.Content))
            {
                // A 307 or 308 re-sends the body, and this one cannot be sent twice: the redirect goes to the caller.
                break;
            }

            response.Dispose();
            request.Headers.Authorization = null;
            request.Headers.Remove(DpopProofs.HeaderName);
            if (ChangesToGet(status, request.Method))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }

            request.RequestUri = target;
            request.Options.Set(Redirected, true);
            Log.RedirectWithoutCredentials(_logger, _clientName, Log.Origin(target));
            response = await SendInnerAsync(request, sync, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private async ValueTask<HttpResponseMessage> SendWithProofAsync(HttpRequestMessage request, bool sync, CancellationToken cancellationToken)
    {
        var proofs = _proofs() ?? throw new InvalidOperationException(
            $"OAuthClient client '{_clientName}' holds a DPoP token but no longer uses DPoP; the token is not sent.");
        var uri = request.RequestUri!;
        var token = ((TokenHeaderValue)request.Headers.Authorization!).Token.Value;

        Attach(request, proofs.CreateProof(request.Method, uri, token));
        var response = await SendInnerAsync(request, sync, cancellationToken).ConfigureAwait(false);
        var nonce = DpopProofs.ReadNonce(response);
        proofs.RememberNonce(uri, nonce);
        if (nonce is null || !AsksForNonce(response) || !ReplayableContent.Is(request.Content))
        {
            return response;
        }

        // RFC 9449 §9: the same token, a new proof with the server's nonce; asked once.
        Log.ApiDpopNonce(_logger, _clientName);
        response.Dispose();
        Attach(request, proofs.CreateProof(request.Method, uri, token));
        response = await SendInnerAsync(request, sync, cancellationToken).ConfigureAwait(false);
        proofs.RememberNonce(uri, DpopProofs.ReadNonce(response));
        return response;
    }

    private static void Attach(HttpRequestMessage request, string proof)
    {
        request.Headers.Remove(DpopProofs.HeaderName);
        request.Headers.TryAddWithoutValidation(DpopProofs.HeaderName, proof);
    }

    private static bool AsksForNonce(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return false;
        }

        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (string.Equals(challenge.Scheme, DpopProofs.Scheme, StringComparison.OrdinalIgnoreCase)
                && challenge.Parameter?.Contains(DpopProofs.UseNonceError, StringComparison.Ordinal) == true)
            {
                return true;
            }
        }

        return false;
    }

    private static Uri? RedirectTarget(HttpResponseMessage response, Uri current)
    {
        if (response.StatusCode is not (HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found
            or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect)
            || response.Headers.Location is not { } location)
        {
            return null;
        }

        var target = location.IsAbsoluteUri ? location : new Uri(current, location);
        var secureToInsecure = current.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps;
        var webScheme = target.Scheme == Uri.UriSchemeHttps || target.Scheme == Uri.UriSchemeHttp;

        // As HttpClient does: no redirect from HTTPS to HTTP, nor to other schemes; the 3xx goes to the caller.
        return webScheme && !secureToInsecure ? target : null;
    }

    private static bool ChangesToGet(HttpStatusCode status, HttpMethod method) =>
        (status == HttpStatusCode.SeeOther && method != HttpMethod.Head)
        || (status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found && method == HttpMethod.Post);
}
