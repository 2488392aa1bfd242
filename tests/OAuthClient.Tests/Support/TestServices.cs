using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace OAuthClient.Tests.Support;

/// <summary>A service provider wired the way users wire it, with MockHttp endpoints, a fake clock and captured logs.</summary>
public sealed class TestServices : IDisposable
{
    public const string ClientName = "orders";
    public const string ClientId = "worker";

    // Characters that break Basic authentication when not form-urlencoded first (RFC 6749 §2.3.1).
    public const string ClientSecret = "s3cr:et+v%al/ue";

    private ServiceProvider? _provider;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));

    public TokenEndpointStub TokenEndpoint { get; } = new();

    public ApiStub Api { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Gets the services; built on first use with <see cref="Configure"/> applied.</summary>
    public IServiceProvider Services => _provider ??= Build();

    /// <summary>Gets or sets what the test adds to the client's options, after the defaults.</summary>
    public Action<ClientCredentialsOptions>? Configure { get; set; }

    /// <summary>Gets or sets what the test changes in the service collection before it is built.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public HttpClient CreateClient() => Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public IClientCredentialsTokenProvider TokenProvider => Services.GetRequiredService<IClientCredentialsTokenProvider>();

    public static void Defaults(ClientCredentialsOptions o)
    {
        o.TokenEndpoint = TokenEndpointStub.Endpoint;
        o.ClientId = ClientId;
        o.ClientSecret = ClientSecret;
        o.Scope = "orders.read";
        o.TokenRequestRetryDelay = TimeSpan.Zero;
    }

    public void Dispose() => _provider?.Dispose();

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Time);
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => TokenEndpoint.Handler);
        services.AddHttpClient(ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => Api.Handler)
            .AddClientCredentialsToken(o =>
            {
                Defaults(o);
                Configure?.Invoke(o);
            });
        ConfigureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
