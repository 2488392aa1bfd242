using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// Getting a cached token without HttpClient: our provider, with and without the shared cache behind it, a bare
/// dictionary, and MSAL.
/// </summary>
[Config(typeof(BoundedConfig))]
public class ProviderBenchmarks
{
    private const string SharedClientName = "orders-shared";

    private readonly TokenEndpointHandler _ourEndpoint = new();
    private readonly TokenEndpointHandler _msalEndpoint = new();
    private readonly ConcurrentDictionary<string, AccessToken> _dictionary = new(StringComparer.Ordinal);
    private ServiceProvider _services = null!;
    private IClientCredentialsTokenProvider _provider = null!;
    private IConfidentialClientApplication _msal = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddTokenEndpoint(_ourEndpoint);
        services.AddOrdersClient();

        // The same client again with the shared cache behind it: a hit must not reach the distributed cache.
        services.AddDistributedMemoryCache();
        services.AddDataProtection();
        services.AddHttpClient(SharedClientName).AddClientCredentialsToken(Wiring.Defaults).UseDistributedTokenCache();
        _services = services.BuildServiceProvider();
        _provider = _services.GetRequiredService<IClientCredentialsTokenProvider>();
        _dictionary[Wiring.ClientName] = await _provider.GetTokenAsync(Wiring.ClientName);
        await _provider.GetTokenAsync(SharedClientName);

        _msal = Msal.Create(_msalEndpoint);
        await Msal.WarmAsync(_msal, _msalEndpoint);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// token requests: OAuthClient {_ourEndpoint.TokenRequests}, MSAL {_msalEndpoint.TokenRequests}");
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary lookup")]
    public AccessToken DictionaryLookup()
    {
        _dictionary.TryGetValue(Wiring.ClientName, out var token);
        return token!;
    }

    [Benchmark(Description = "OAuthClient provider GetTokenAsync (hit)")]
    public AccessToken ProviderHit() => Hit(_provider, Wiring.ClientName);

    [Benchmark(Description = "OAuthClient provider GetTokenAsync (hit, shared cache on)")]
    public AccessToken SharedCacheHit() => Hit(_provider, SharedClientName);

    [Benchmark(Description = "MSAL AcquireTokenForClient (hit)")]
    public async Task<string> MsalHit() => (await _msal.AcquireTokenForClient(Msal.Scopes).ExecuteAsync()).AccessToken;

    /// <summary>Takes a hit the way an awaiting caller does: a completed ValueTask is read, not awaited through a state machine.</summary>
    internal static AccessToken Hit(IClientCredentialsTokenProvider provider, string name)
    {
        var pending = provider.GetTokenAsync(name);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}
