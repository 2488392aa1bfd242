using Duende.IdentityModel.Client;

namespace OAuthClient.Internal;

/// <summary>Pushed authorization requests (RFC 9126) through the token endpoint's backchannel, client authentication and deadline.</summary>
internal sealed partial class TokenEndpoint
{
    /// <summary>Pushes the authorization request's parameters; the browser then carries only the client id and the request URI.</summary>
    /// <returns>The <c>request_uri</c> that stands for the parameters at the authorization endpoint.</returns>
    /// <exception cref="TokenRequestException">The server has no PAR endpoint, refused the request, or answered something unusable.</exception>
    public async Task<string> PushAuthorizationAsync(ServerMetadata server, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var endpoint = server.PushedAuthorizationEndpoint ?? throw new TokenRequestException(
            $"Client '{ClientName}' cannot push its authorization request: the server names no pushed_authorization_request_endpoint (RFC 9126).",
            ClientName, _settings.Authority);
        using var timeout = new CancellationTokenSource(_settings.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        PushedAuthorizationResponse response;
        try
        {
            using var request = new PushedAuthorizationRequest { Address = endpoint.AbsoluteUri };
            foreach (var (name, value) in parameters)
            {
                request.Parameters.Add(name, value);
            }

            await _authenticator.ApplyAsync(request, server.TokenEndpoint, Issuer(server), linked.Token).ConfigureAwait(false);
            var client = _backchannel.Invoker as HttpClient
                ?? throw new InvalidOperationException("The backchannel is not an HttpClient.");
            response = await client.PushAuthorizationAsync(request, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRequestException(
                $"Client '{ClientName}' could not push its authorization request to {endpoint} within {_settings.TokenRequestTimeout} (TokenRequestTimeout).",
                ClientName, endpoint, innerException: ex);
        }

        using var answered = response;
        if (Backchannel.FollowedRedirect(response.HttpResponse, endpoint, out var status, out var target))
        {
            throw RedirectRefused(endpoint, status, target);
        }

        if (!HasReadableBody(response) || response.IsError || string.IsNullOrEmpty(response.RequestUri))
        {
            var (error, description) = ErrorOf(response);
            var httpStatus = response.HttpResponse?.StatusCode;
            Log.TokenRequestFailed(_logger, ClientName, endpoint, (int?)httpStatus, error);
            throw error is { Length: > 0 }
                ? Refused($"push its authorization request to {endpoint}", endpoint, httpStatus, error, description)
                : new TokenRequestException(
                    $"Client '{ClientName}' could not push its authorization request to {endpoint}: the server answered {Status(httpStatus)} without a request_uri.",
                    ClientName, endpoint, httpStatus, error, description, response.Exception);
        }

        return response.RequestUri;
    }
}
