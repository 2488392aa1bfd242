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

        var token = _client.TryGetCachedToken(out var cached) ? cached : Wait(_client.GetTokenAsync(cancellationToken));
        request.Headers.Authorization = Attachable(token).AuthorizationHeader;
        var response = base.Send(request, cancellationToken);
        if (!ReplayableContent.Is(request.Content))
        {
            DropIfRejected(request, response, token);
            return response;
        }

        if (!IsRetryableUnauthorized(response) || !StillBoundForApi(request))
        {
            return response;
        }

        response.Dispose();
        _client.Invalidate(token);
        Log.RetryingAfterUnauthorized(_logger, _client.Name);
        token = Wait(_client.GetTokenAsync(cancellationToken));
        request.Headers.Authorization = Attachable(token).AuthorizationHeader;
        return base.Send(request, cancellationToken);
    }

    private static AccessToken Wait(ValueTask<AccessToken> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
