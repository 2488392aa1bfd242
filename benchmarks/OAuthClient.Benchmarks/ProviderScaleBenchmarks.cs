using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>The provider's hit cost with 1, 1,000 and 100,000 clients, each with its own scope and cached token.</summary>
[Config(typeof(BoundedConfig))]
public class ProviderScaleBenchmarks
{
    private readonly TokenEndpointHandler _endpoint = new();
    private readonly ConcurrentDictionary<string, AccessToken> _dictionary = new(StringComparer.Ordinal);
    private ServiceProvider _services = null!;
    private IClientCredentialsTokenProvider _provider = null!;
    private string _name = null!;

    [Params(1, 1_000, 100_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        (_services, _provider) = ManyClients.Build(_endpoint);
        await ManyClients.FillAsync(_provider, Keys, _dictionary);
        _name = ManyClients.Name(Keys / 2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// token requests: {_endpoint.TokenRequests} for {Keys} clients");
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary lookup")]
    public AccessToken DictionaryLookup()
    {
        _dictionary.TryGetValue(_name, out var token);
        return token!;
    }

    [Benchmark(Description = "OAuthClient provider GetTokenAsync (hit)")]
    public AccessToken ProviderHit() => ProviderBenchmarks.Hit(_provider, _name);
}

/// <summary>Any number of clients registered by name, each with its own scope, so each has its own cache key.</summary>
internal static class ManyClients
{
    // Names of one length, so the cost of hashing a longer name does not pass for the cost of more keys.
    public static string Name(int i) => $"client-{i:D6}";

    public static (ServiceProvider Services, IClientCredentialsTokenProvider Provider) Build(TokenEndpointHandler endpoint)
    {
        var services = new ServiceCollection();
        services.AddTokenEndpoint(endpoint);
        services.AddOrdersClient();
        services.AddSingleton<IConfigureOptions<ClientCredentialsOptions>, PerNameOptions>();
        var built = services.BuildServiceProvider();
        return (built, built.GetRequiredService<IClientCredentialsTokenProvider>());
    }

    public static async Task FillAsync(IClientCredentialsTokenProvider provider, int count, ConcurrentDictionary<string, AccessToken>? mirror = null)
    {
        for (var i = 0; i < count; i++)
        {
            var name = Name(i);
            var token = await provider.GetTokenAsync(name);
            mirror?.TryAdd(name, token);
        }
    }

    private sealed class PerNameOptions : IConfigureNamedOptions<ClientCredentialsOptions>
    {
        public void Configure(string? name, ClientCredentialsOptions options)
        {
            if (name is not null && name.StartsWith("client-", StringComparison.Ordinal))
            {
                Wiring.Defaults(options);
                options.Scope = $"scope-{name}";
            }
        }

        public void Configure(ClientCredentialsOptions options) => Configure(Options.DefaultName, options);
    }
}
