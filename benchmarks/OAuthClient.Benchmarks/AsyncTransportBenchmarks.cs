using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// One GET on a cache hit through an API whose answer is not ready at once (it yields, as a socket does): what the
/// token handler adds when it has to wait for the answer to check it for a 401.
/// </summary>
[Config(typeof(ThreeLaunchConfig))]
public class AsyncTransportBenchmarks
{
    private static readonly Uri Path = new("orders/1", UriKind.Relative);

    private readonly TokenEndpointHandler _endpoint = new();
    private ServiceProvider _services = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _oauthClient = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddTokenEndpoint(_endpoint);
        services.AddOrdersClient().ConfigurePrimaryHttpMessageHandler(() => new YieldingOkHandler());
        services.AddHttpClient("fixed", c => c.BaseAddress = Wiring.ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new YieldingOkHandler())
            .AddHttpMessageHandler(() => new FixedHeaderHandler(new AuthenticationHeaderValue("Bearer", "token-1")));
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _fixedHeader = factory.CreateClient("fixed");
        _oauthClient = factory.CreateClient(Wiring.ClientName);
        (await _oauthClient.GetAsync(Path)).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// token requests: OAuthClient {_endpoint.TokenRequests}");
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Yielding API, fixed-header handler")]
    public async Task FixedHeaderHandler()
    {
        using var response = await _fixedHeader.GetAsync(Path);
    }

    [Benchmark(Description = "Yielding API, OAuthClient handler (hit)")]
    public async Task OAuthClientHandler()
    {
        using var response = await _oauthClient.GetAsync(Path);
    }
}
