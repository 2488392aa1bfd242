using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>One GET through an HttpClient whose API answers 200 at once: what the token handler adds per request.</summary>
[Config(typeof(ThreeLaunchConfig))]
public class HandlerBenchmarks
{
    private static readonly Uri Path = new("orders/1", UriKind.Relative);
    private static readonly AuthenticationHeaderValue Header = new("Bearer", "token-1");

    private readonly TokenEndpointHandler _ourEndpoint = new();
    private readonly TokenEndpointHandler _msalEndpoint = new();
    private ServiceProvider _services = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _raw = null!;
    private HttpClient _oauthClient = null!;
    private HttpClient _msal = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var msal = Msal.Create(_msalEndpoint);
        await Msal.WarmAsync(msal, _msalEndpoint);

        var services = new ServiceCollection();
        services.AddTokenEndpoint(_ourEndpoint);
        services.AddOrdersClient();
        services.AddHttpClient("fixed", c => c.BaseAddress = Wiring.ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddHttpMessageHandler(() => new FixedHeaderHandler(Header));
        services.AddHttpClient("msal", c => c.BaseAddress = Wiring.ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddHttpMessageHandler(() => new MsalTokenHandler(msal, Msal.Scopes));
        _services = services.BuildServiceProvider();

        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _fixedHeader = factory.CreateClient("fixed");
        _oauthClient = factory.CreateClient(Wiring.ClientName);
        _msal = factory.CreateClient("msal");
        _raw = new HttpClient(new OkHandler()) { BaseAddress = Wiring.ApiBase };
        _raw.DefaultRequestHeaders.Authorization = Header;

        // Fill our cache, then check that the measured calls are hits for both libraries.
        (await _oauthClient.GetAsync(Path)).Dispose();
        (await _msal.GetAsync(Path)).Dispose();
        (await _oauthClient.GetAsync(Path)).Dispose();
        if (_ourEndpoint.TokenRequests != 1 || _msalEndpoint.TokenRequests != 1)
        {
            throw new InvalidOperationException("A warm-up call went to a token endpoint: the measured calls would not be cache hits.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Printed into the log: 1 each means every measured call was a cache hit.
        Console.WriteLine($"// token requests: OAuthClient {_ourEndpoint.TokenRequests}, MSAL {_msalEndpoint.TokenRequests}");
        _raw.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Factory client, fixed-header handler")]
    public async Task FixedHeaderHandler()
    {
        using var response = await _fixedHeader.GetAsync(Path);
    }

    [Benchmark(Description = "Raw HttpClient, default header")]
    public async Task RawHttpClient()
    {
        using var response = await _raw.GetAsync(Path);
    }

    [Benchmark(Description = "Factory client, OAuthClient handler (hit)")]
    public async Task OAuthClientHandler()
    {
        using var response = await _oauthClient.GetAsync(Path);
    }

    [Benchmark(Description = "Factory client, MSAL handler (hit)")]
    public async Task MsalHandler()
    {
        using var response = await _msal.GetAsync(Path);
    }
}
