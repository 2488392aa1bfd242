using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// One GET on behalf of a user whose exchanged token is cached, beside the client-credentials hit and the fixed-header
/// handler: what finding the user's token (SHA-256 of a 900-character subject, one cache lookup) adds per request.
/// </summary>
[Config(typeof(BoundedConfig))]
public class TokenExchangeBenchmarks
{
    private static readonly Uri Path = new("orders/1", UriKind.Relative);

    private readonly TokenEndpointHandler _endpoint = new();
    private ServiceProvider _services = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _clientCredentials = null!;
    private HttpClient _exchange = null!;
    private HttpClient _exchangeNewInstance = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddTokenEndpoint(_endpoint);
        services.AddOrdersClient();
        services.AddHttpClient("fixed", c => c.BaseAddress = Wiring.ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddHttpMessageHandler(() => new FixedHeaderHandler(new AuthenticationHeaderValue("Bearer", "token-1")));
        services.AddExchangeClient(new FixedSubject(ExchangeWiring.Subject(0)));
        services.AddExchangeClient(new CopiedSubject(ExchangeWiring.Subject(0)), name: "downstream-copies");
        _services = services.BuildServiceProvider();

        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _fixedHeader = factory.CreateClient("fixed");
        _clientCredentials = factory.CreateClient(Wiring.ClientName);
        _exchange = factory.CreateClient(ExchangeWiring.ClientName);
        _exchangeNewInstance = factory.CreateClient("downstream-copies");

        (await _clientCredentials.GetAsync(Path)).Dispose();
        (await _exchange.GetAsync(Path)).Dispose();
        (await _exchange.GetAsync(Path)).Dispose();
        (await _exchangeNewInstance.GetAsync(Path)).Dispose();
        (await _exchangeNewInstance.GetAsync(Path)).Dispose();
        if (_endpoint.TokenRequests != 3)
        {
            throw new InvalidOperationException("A warm-up call went to the token endpoint: the measured calls would not be cache hits.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Printed into the log: 3 (one client-credentials token, one exchange per exchange client) means every measured call was a hit.
        Console.WriteLine($"// token requests: {_endpoint.TokenRequests}");
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Factory client, fixed-header handler")]
    public async Task FixedHeaderHandler()
    {
        using var response = await _fixedHeader.GetAsync(Path);
    }

    [Benchmark(Description = "Factory client, client-credentials handler (hit)")]
    public async Task ClientCredentialsHandler()
    {
        using var response = await _clientCredentials.GetAsync(Path);
    }

    [Benchmark(Description = "Factory client, token exchange handler (hit)")]
    public async Task TokenExchangeHandler()
    {
        using var response = await _exchange.GetAsync(Path);
    }

    /// <summary>
    /// The first downstream call of each incoming request: the same user, but a new string instance (the incoming header is
    /// read anew), so the subject is hashed (SHA-256 of ~900 bytes) and looked up. 64 copies, taken in turn.
    /// </summary>
    [Benchmark(Description = "Factory client, token exchange handler (hit, subject hashed)")]
    public async Task TokenExchangeHandlerHashed()
    {
        using var response = await _exchangeNewInstance.GetAsync(Path);
    }

    private sealed class CopiedSubject(string token) : ISubjectTokenSource
    {
        private readonly SubjectToken[] _copies = Enumerable.Range(0, 64).Select(_ => new SubjectToken(new string(token.AsSpan()))).ToArray();
        private int _next;

        public SubjectToken? GetSubjectToken(HttpRequestMessage request) => _copies[(_next++) & 63];
    }

    private sealed class FixedSubject(string token) : ISubjectTokenSource
    {
        private readonly SubjectToken _subject = new(token);

        public SubjectToken? GetSubjectToken(HttpRequestMessage request) => _subject;
    }
}

/// <summary>Registers a token-exchange client the way users do: a token client that sends the exchange, and the downstream HttpClient.</summary>
internal static class ExchangeWiring
{
    public const string ClientName = "downstream";

    public static IHttpClientBuilder AddExchangeClient(
        this IServiceCollection services, ISubjectTokenSource subjects, int maxCachedTokens = 10_000, string name = ClientName)
    {
        services.AddClientCredentialsTokenClient("front-api", Wiring.Defaults);
        return services.AddHttpClient(name, c => c.BaseAddress = Wiring.ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddTokenExchange(o =>
            {
                o.TokenClientName = "front-api";
                o.Audience = "downstream-api";
                o.MaxCachedTokens = maxCachedTokens;
            })
            .UseSubjectTokenSource(_ => subjects);
    }

    /// <summary>A subject token of the size of a typical user's JWT access token (about 900 characters), distinct per user.</summary>
    public static string Subject(int user) =>
        $"eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.{new string('x', 800)}{user:D8}.{new string('s', 86)}";
}
