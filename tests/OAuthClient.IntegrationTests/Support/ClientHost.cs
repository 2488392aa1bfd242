using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OAuthClient.Samples;
using OAuthClient.Tests.Support;

namespace OAuthClient.IntegrationTests.Support;

/// <summary>
/// A service provider wired the way an application wires the library: a named HttpClient for the demo API with
/// client-credentials tokens from the development server, under a client id of its own, with every log line captured.
/// </summary>
public sealed class ClientHost : IDisposable
{
    public const string ClientName = "api";
    public const string Scope = DevClients.ApiReadScope + " " + DevClients.ApiWriteScope;

    private readonly ServiceProvider _services;

    public ClientHost(
        DevAuthorizationServer server,
        Action<ClientCredentialsOptions>? configure = null,
        TimeProvider? time = null,
        int maxApiConnections = 16,
        string clientIdPrefix = DevClients.WorkerClientId,
        bool allowAutoRedirect = true)
    {
        ClientId = $"{clientIdPrefix}.{Guid.NewGuid():N}";
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHttpClient(ClientName, c => c.BaseAddress = server.ApiBaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = maxApiConnections, AllowAutoRedirect = allowAutoRedirect })
            .AddClientCredentialsToken(o =>
            {
                o.Authority = server.Issuer;
                o.ClientId = ClientId;
                o.ClientSecret = DevClients.WorkerClientSecret;
                o.Scope = Scope;
                configure?.Invoke(o);
            });
        _services = services.BuildServiceProvider();
    }

    /// <summary>Gets the client id this host uses: <c>worker.&lt;guid&gt;</c> (or another prefix), counted on its own by the server.</summary>
    public string ClientId { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public IClientCredentialsTokenProvider Tokens => _services.GetRequiredService<IClientCredentialsTokenProvider>();

    public HttpClient CreateClient() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    /// <summary>Calls <c>GET /whoami</c> and reads the answer, failing on anything but 200.</summary>
    public async Task<WhoAmI> WhoAmIAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await CreateClient().GetAsync(new Uri("whoami", UriKind.Relative), cancel.Token);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WhoAmI>(cancel.Token))!;
    }

    public void Dispose() => _services.Dispose();
}
