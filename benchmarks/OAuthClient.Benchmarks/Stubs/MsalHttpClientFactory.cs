using Microsoft.Identity.Client;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>Gives MSAL an HttpClient over the in-memory token endpoint, so it never leaves the process.</summary>
internal sealed class MsalHttpClientFactory(TokenEndpointHandler endpoint) : IMsalHttpClientFactory
{
    private readonly HttpClient _client = TokenEndpointHandler.CreateClient(endpoint);

    public HttpClient GetHttpClient() => _client;
}
