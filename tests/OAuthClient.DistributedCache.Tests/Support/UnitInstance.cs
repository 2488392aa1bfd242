using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Tests.Support;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>
/// One service instance on MockHttp endpoints and a fake clock, sharing a <see cref="FakeDistributedCache"/> (no Redis,
/// so no lock) and a data protector with its siblings: for behaviour that needs no real server.
/// </summary>
public sealed class UnitInstance : IDisposable
{
    public const string ClientName = "orders";
    public const string ClientSecret = "s3cr:et+v%al/ue";

    private readonly ServiceProvider _services;

    public UnitInstance(
        World shared,
        IDataProtector? protector = null,
        ApiStub? api = null,
        Action<ClientCredentialsOptions>? configure = null,
        Func<IServiceProvider, IDataProtector>? protectorFromServices = null)
    {
        Api = api ?? new ApiStub();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(shared.Time);
        services.AddSingleton<IDistributedCache>(shared.Cache);
        services.AddSingleton(shared.DataProtection);
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => shared.TokenEndpoint.Handler);
        var client = services.AddHttpClient(ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => Api.Handler)
            .AddClientCredentialsToken(o =>
            {
                o.TokenEndpoint = TokenEndpointStub.Endpoint;
                o.ClientId = "worker";
                o.ClientSecret = ClientSecret;
                o.Scope = "orders.read";
                o.TokenRequestRetryDelay = TimeSpan.Zero;
                configure?.Invoke(o);
            })
            .UseDistributedTokenCache(o => o.OperationTimeout = TimeSpan.FromSeconds(1));
        if (protector is not null)
        {
            client.UseDistributedTokenCacheProtector(protector);
        }

        if (protectorFromServices is not null)
        {
            client.UseDistributedTokenCacheProtector(protectorFromServices);
        }

        _services = services.BuildServiceProvider();
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public ApiStub Api { get; }

    public IClientCredentialsTokenProvider Tokens => _services.GetRequiredService<IClientCredentialsTokenProvider>();

    public HttpClient CreateClient() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public Task<AccessToken> GetTokenAsync() => Tokens.GetTokenAsync(ClientName).AsTask();

    public void Dispose() => _services.Dispose();

    /// <summary>What the instances of one test share: the token endpoint, the clock, the cache and the key ring.</summary>
    public sealed class World
    {
        public TokenEndpointStub TokenEndpoint { get; } = new();

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));

        public FakeDistributedCache Cache { get; } = new();

        public IDataProtectionProvider DataProtection { get; } = new EphemeralDataProtectionProvider();
    }
}
