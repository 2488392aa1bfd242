using Microsoft.Identity.Client;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>Builds an MSAL confidential client against the in-memory token endpoint.</summary>
internal static class Msal
{
    public static readonly string[] Scopes = ["api://orders/.default"];

    public static IConfidentialClientApplication Create(TokenEndpointHandler endpoint) =>
        ConfidentialClientApplicationBuilder.Create("worker")
            .WithClientSecret("benchmark-secret")
            .WithOidcAuthority(TokenEndpointHandler.Authority.AbsoluteUri)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new MsalHttpClientFactory(endpoint))
            .Build();

    /// <summary>Fills MSAL's cache and proves that the next call is served from it.</summary>
    public static async Task WarmAsync(IConfidentialClientApplication app, TokenEndpointHandler endpoint)
    {
        await app.AcquireTokenForClient(Scopes).ExecuteAsync();
        var before = endpoint.TokenRequests;
        var hit = await app.AcquireTokenForClient(Scopes).ExecuteAsync();
        if (hit.AuthenticationResultMetadata.TokenSource != TokenSource.Cache || endpoint.TokenRequests != before)
        {
            throw new InvalidOperationException($"MSAL did not serve the second call from its cache ({hit.AuthenticationResultMetadata.TokenSource}).");
        }
    }
}
