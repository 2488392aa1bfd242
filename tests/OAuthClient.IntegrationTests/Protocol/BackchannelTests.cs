using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Desktop;

using OAuthClient.IntegrationTests.Support;

namespace OAuthClient.IntegrationTests.Protocol;

/// <summary>
/// A hostile authorization server on one loopback host that redirects token, discovery and revocation traffic to a
/// collector on another, over real HTTP: no flow, with or without dependency injection, may send anything there.
/// </summary>
public sealed class BackchannelTests : IAsyncLifetime
{
    private const string Secret = "backchannel-secret-7f3";
    private const string RefreshToken = "stored-refresh-token-9c1";

    private readonly ConcurrentQueue<string> _collected = new();
    private WebApplication? _collector;
    private WebApplication? _server;
    private Uri _issuer = null!;

    public async Task InitializeAsync()
    {
        // 127.0.0.2 is another host to HttpClient, though still this machine.
        _collector = await LoopbackApps.StartAsync("http://127.0.0.2:0", app => app.Map("/{**path}", async (HttpRequest r) =>
        {
            using var reader = new StreamReader(r.Body, Encoding.UTF8);
            _collected.Enqueue($"{r.Method} {r.Path} {r.Headers.Authorization} {await reader.ReadToEndAsync()}");
            return Results.Json(new { access_token = "stolen", token_type = "Bearer", expires_in = 300 });
        }));
        var collector = new Uri(LoopbackApps.Address(_collector));
        _server = await LoopbackApps.StartAsync("http://127.0.0.1:0", app =>
        {
            app.MapPost("/redirect/token", () => Results.Redirect(new Uri(collector, "token").AbsoluteUri, permanent: true, preserveMethod: true));
            app.MapGet("/redirect/.well-known/openid-configuration", () => Results.Redirect(new Uri(collector, "discovery").AbsoluteUri));
            app.MapGet("/huge/.well-known/openid-configuration", () => Results.Text(
                $$"""{"issuer":"{{_issuer}}huge","authorization_endpoint":"{{_issuer}}huge/authorize","token_endpoint":"{{_issuer}}huge/token","padding":"{{new string('x', 4 * 1024 * 1024)}}"}""",
                "application/json"));
            app.MapPost("/huge/token", () => Results.Json(new { access_token = "from-an-oversized-server", token_type = "Bearer", expires_in = 300 }));
        });
        _issuer = new Uri(LoopbackApps.Address(_server));
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _server, _collector })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GetTokenAsync_TokenEndpointRedirects_FailsAndSendsNothingElsewhere()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient("orders", c => c.BaseAddress = new Uri("https://api.example.com/")).AddClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri(_issuer, "redirect/token");
            o.ClientId = "worker";
            o.ClientSecret = Secret;
            o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost;
        });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<TokenRequestException>(
            () => provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync("orders").AsTask());

        Assert.Equal(System.Net.HttpStatusCode.PermanentRedirect, error.StatusCode);
        Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task CreateHandler_WithoutDependencyInjection_TokenEndpointRedirects_FailsAndSendsNothingElsewhere()
    {
        var options = new ClientCredentialsOptions
        {
            TokenEndpoint = new Uri(_issuer, "redirect/token"),
            ClientId = "worker",
            ClientSecret = Secret,
            ApiOrigins = { _issuer },
        };
        using var client = new HttpClient(ClientCredentials.CreateHandler(options));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync(new Uri(_issuer, "api")));

        Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task GetTokenAsync_DiscoveryRedirects_FailsAndAsksNothingElsewhere()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClientCredentialsTokenClient("orders", o =>
        {
            o.Authority = new Uri(_issuer, "redirect/");
            o.ClientId = "worker";
            o.ClientSecret = Secret;
        });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<TokenRequestException>(
            () => provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync("orders").AsTask());

        Assert.Contains("discovery document", error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_DesktopWithoutDependencyInjection_RefreshRedirected_FailsAndRefreshTokenStaysHome()
    {
        var store = new InMemoryTokenStore();
        var options = new InteractiveSignInOptions
        {
            AuthorizationEndpoint = new Uri(_issuer, "authorize"),
            TokenEndpoint = new Uri(_issuer, "redirect/token"),
            ClientId = "desktop",
            Scope = "openid offline_access",
            StoreKey = "user",
        };
        await store.WriteAsync("user", new StoredTokens { RefreshToken = RefreshToken }, CancellationToken.None);
        using var signIn = new InteractiveSignIn(options, store);

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => signIn.GetAccessTokenAsync().AsTask());

        Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RefreshToken, error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_DesktopWithSuppliedHandlerThatFollowsRedirects_RefreshTokenStaysHome()
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync("user", new StoredTokens { RefreshToken = RefreshToken }, CancellationToken.None);
        using var handler = new SocketsHttpHandler();
        using var signIn = new InteractiveSignIn(
            new InteractiveSignInOptions
            {
                AuthorizationEndpoint = new Uri(_issuer, "authorize"), TokenEndpoint = new Uri(_issuer, "redirect/token"),
                ClientId = "desktop", StoreKey = "user",
            },
            store,
            backchannelHandler: handler);

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => signIn.GetAccessTokenAsync().AsTask());

        Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task GetTokenAsync_NamedBackchannelTheAppUsedFirst_FailsClosedAndSendsNothingElsewhere()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient("corp");
        services.AddClientCredentialsTokenClient("orders", o =>
        {
            o.TokenEndpoint = new Uri(_issuer, "redirect/token");
            o.ClientId = "worker";
            o.ClientSecret = Secret;
            o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost;
            o.BackchannelHttpClientName = "corp";
        });
        await using var provider = services.BuildServiceProvider();
        using (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("corp").GetAsync(new Uri(_issuer, "ping")))
        {
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync("orders").AsTask());

        Assert.Contains("'corp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("redirects", error.Message, StringComparison.Ordinal);
        Assert.Empty(_collected);
    }

    [Fact]
    public async Task GetAccessTokenAsync_DesktopWithoutDependencyInjection_HugeDiscoveryDocument_Refused()
    {
        var store = new InMemoryTokenStore();
        await store.WriteAsync("user", new StoredTokens { RefreshToken = RefreshToken }, CancellationToken.None);
        using var signIn = new InteractiveSignIn(
            new InteractiveSignInOptions { Authority = new Uri(_issuer, "huge/"), ClientId = "desktop", StoreKey = "user" }, store);

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => signIn.GetAccessTokenAsync().AsTask());

        Assert.Contains("discovery document", error.Message, StringComparison.Ordinal);
    }
}
