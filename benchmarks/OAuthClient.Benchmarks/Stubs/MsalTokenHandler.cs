using System.Net.Http.Headers;
using Microsoft.Identity.Client;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>The usual way to put MSAL in front of an HttpClient: ask it for the token on every request.</summary>
internal sealed class MsalTokenHandler(IConfidentialClientApplication app, string[] scopes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = await app.AcquireTokenForClient(scopes).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
