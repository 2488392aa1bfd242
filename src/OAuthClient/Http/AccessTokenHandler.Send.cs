namespace OAuthClient.Internal;

/// <summary>
/// The synchronous path, for <c>HttpClient.Send</c>: the same rules, the same token and the same single retry. A hit
/// does not wait; a miss blocks on the one token request in flight for the client, which has its own deadline
/// (<c>TokenRequestTimeout</c>). Without this, a synchronous request would go out without a token.
/// </summary>
internal sealed partial class AccessTokenHandler
{
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsOurs(request))
        {
            return base.Send(request, cancellationToken);
        }

        var token = GetTokenBlocking(request, cancellationToken);
        request.Headers.Authorization = Attachable(token).AuthorizationHeader;
        var response = base.Send(request, cancellationToken);
        if (!RejectedOurToken(request, response, token))
        {
            return response;
        }

        _client.Invalidate(request, token);
        if (!ReplayableContent.Is(request.Content))
        {
            Log.RejectedTokenNotRetried(_logger, _client.Name);
            return response;
        }

        response.Dispose();
        Log.RetryingAfterUnauthorized(_logger, _client.Name);
        token = GetTokenBlocking(request, cancellationToken);
        request.Headers.Authorization = Attachable(token).AuthorizationHeader;
        return base.Send(request, cancellationToken);
    }

    // On a miss the request for the token runs on the thread pool, not under the caller's SynchronizationContext, which
    // this thread now blocks: a continuation posted there (by an assertion factory, say) would never run.
    private AccessToken GetTokenBlocking(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _client.TryGetCachedToken(request, out var cached)
            ? cached
            : Task.Run(() => _client.GetTokenAsync(request, cancellationToken).AsTask(), cancellationToken).GetAwaiter().GetResult();
}
