using System.Net.Http.Headers;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>The cheapest token handler there can be: it sets one pre-built header value.</summary>
internal sealed class FixedHeaderHandler(AuthenticationHeaderValue header) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = header;
        return base.SendAsync(request, cancellationToken);
    }
}
