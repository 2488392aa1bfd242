using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OAuthClient.Samples;
using OAuthClient.Tests.Support;
using StackExchange.Redis;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>
/// One instance of a service, wired as an application wires the package: its own service provider and Redis connection,
/// the shared cache server and key ring, a named HttpClient for the demo API with the distributed token cache on.
/// </summary>
public sealed class ServiceInstance : IAsyncDisposable
{
    public const string ClientName = "api";

    private readonly ConnectionMultiplexer _redis;
    private readonly ServiceProvider _services;

    private ServiceInstance(ConnectionMultiplexer redis, ServiceProvider services, CapturingLoggerProvider logs)
    {
        _redis = redis;
        _services = services;
        Logs = logs;
    }

    public CapturingLoggerProvider Logs { get; }

    public IClientCredentialsTokenProvider Tokens => _services.GetRequiredService<IClientCredentialsTokenProvider>();

    /// <summary>How much of the package an instance uses.</summary>
    public enum Sharing
    {
        /// <summary>No shared cache: each instance gets its own token.</summary>
        None,

        /// <summary>The shared entry only: no <see cref="IConnectionMultiplexer"/> in DI, so no lock.</summary>
        EntryOnly,

        /// <summary>The shared entry and the Redis lock, as documented.</summary>
        EntryAndLock,
    }

    public static async Task<ServiceInstance> StartAsync(
        SharedCacheFixture fixture,
        CacheServer cache,
        TestClient client,
        Sharing sharing = Sharing.EntryAndLock,
        Action<IServiceCollection>? configureServices = null,
        Action<ClientCredentialsOptions>? configure = null,
        Action<DistributedTokenCacheOptions>? configureCache = null)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(Connection(cache));
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        if (sharing == Sharing.EntryAndLock)
        {
            services.AddSingleton<IConnectionMultiplexer>(redis);
        }

        services.AddStackExchangeRedisCache(o =>
        {
            o.InstanceName = "tests:";
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis);
        });
        fixture.KeyRing.Use(services);
        var api = services.AddHttpClient(ClientName, c => c.BaseAddress = fixture.Server.ApiBaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = 16 })
            .AddClientCredentialsToken(o =>
            {
                o.Authority = fixture.Server.Issuer;
                o.RequireHttps = false;
                o.ClientId = client.ClientId;
                o.ClientSecret = DevClients.WorkerClientSecret;
                o.Scope = DevClients.ApiReadScope;
                configure?.Invoke(o);
            });
        if (sharing != Sharing.None)
        {
            api.UseDistributedTokenCache(o =>
            {
                o.KeyPrefix = client.KeyPrefix;
                // Generous: the first call of a process pays for JIT while other tests keep both cores busy.
                o.OperationTimeout = TimeSpan.FromSeconds(2);
                o.LockExpiry = TimeSpan.FromSeconds(5);
                o.LockWaitTimeout = TimeSpan.FromSeconds(10);
                configureCache?.Invoke(o);
            });
        }

        configureServices?.Invoke(services);

        return new ServiceInstance(redis, services.BuildServiceProvider(), logs);
    }

    /// <summary>Options for a test's own connections: quick to give up, never failing at connect.</summary>
    public static ConfigurationOptions Connection(CacheServer cache) => new()
    {
        EndPoints = { cache.EndPoint },
        AbortOnConnectFail = false,
        ConnectTimeout = 2000,
        AsyncTimeout = 2000,
        SyncTimeout = 2000,
    };

    /// <summary>Calls <c>GET /whoami</c> and reads the answer, failing on anything but 200.</summary>
    public async Task<WhoAmI> WhoAmIAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
        using var response = await client.GetAsync(new Uri("whoami", UriKind.Relative), cancel.Token);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WhoAmI>(cancel.Token))!;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
