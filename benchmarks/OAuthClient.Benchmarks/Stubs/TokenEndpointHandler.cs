using System.Net;
using System.Text;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>
/// An in-memory OAuth server: answers OIDC discovery and token requests with numbered tokens after an
/// optional delay, and counts the token requests.
/// </summary>
internal sealed class TokenEndpointHandler : HttpMessageHandler
{
    public static readonly Uri Authority = new("https://login.example.com/");
    public static readonly Uri TokenEndpoint = new("https://login.example.com/connect/token");

    private int _tokenRequests;
    private int _discoveryRequests;

    /// <summary>Gets or sets how long each token response takes.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Gets or sets the <c>expires_in</c> of issued tokens, in seconds.</summary>
    public int ExpiresIn { get; set; } = 3600;

    /// <summary>Gets or sets a hook that sees each token request start, for timelines.</summary>
    public Action<int>? OnTokenRequest { get; set; }

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public static HttpClient CreateClient(TokenEndpointHandler handler) => new(handler, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _discoveryRequests);
            return Json($$"""
                {"issuer":"https://login.example.com/","token_endpoint":"{{TokenEndpoint}}",
                 "authorization_endpoint":"https://login.example.com/connect/authorize",
                 "jwks_uri":"https://login.example.com/jwks","response_types_supported":["code"],
                 "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}
                """);
        }

        if (request.Method != HttpMethod.Post || !string.Equals(path, TokenEndpoint.AbsolutePath, StringComparison.Ordinal))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var number = Interlocked.Increment(ref _tokenRequests);
        OnTokenRequest?.Invoke(number);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        return Json($$"""{"access_token":"token-{{number}}","token_type":"Bearer","expires_in":{{ExpiresIn}}}""");
    }

    private static HttpResponseMessage Json(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
