using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.ClientCredentials;

public sealed class ClientCredentialsTokenProviderTests : IDisposable
{
    private readonly TestServices _services = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task GetTokenAsync_ColdCache_ReturnsTokenTypeScopeAndLocalExpiry()
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(
            HttpStatusCode.OK, """{"access_token":"abc","token_type":"bearer","expires_in":120,"scope":"orders.read"}"""));
        var before = _services.Time.GetUtcNow();

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("abc", token.Value);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal("orders.read", token.Scope);
        Assert.Equal(before + TimeSpan.FromSeconds(120), token.ExpiresAt);
    }

    [Theory]
    [InlineData("30.5", 30.5)]
    [InlineData("3.0e1", 30)]
    [InlineData("\"45.25\"", 45.25)]
    public async Task GetTokenAsync_FractionalExpiresIn_ExpiresThatLongAfterReceipt(string expiresIn, double seconds)
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(
            HttpStatusCode.OK, $$"""{"access_token":"abc","token_type":"Bearer","expires_in":{{expiresIn}}}"""));
        var before = _services.Time.GetUtcNow();

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(before + TimeSpan.FromSeconds(seconds), token.ExpiresAt);
    }

    [Fact]
    public async Task GetTokenAsync_ResponseWithoutScope_ReportsTheRequestedScope()
    {
        // RFC 6749 §5.1: a response leaves scope out when it granted exactly what was asked.
        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("orders.read", token.Scope);
    }

    [Fact]
    public async Task GetTokenAsync_AgainAfterExpiry_NeverGetsTheEndedFlightsToken()
    {
        // Each round ends a flight and asks again at once: the second ask must find the cache, not the old flight.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 200; round++)
        {
            var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);
            Assert.True(seen.Add(token.Value), $"round {round} got {token.Value} again after it expired");
            _services.Time.Advance(token.ExpiresAt - _services.Time.GetUtcNow());
        }

        Assert.Equal(200, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-30)]
    public async Task GetTokenAsync_ExpiresInNotPositive_TokenServedButNotCached(int expiresIn)
    {
        _services.TokenEndpoint.ExpiresIn = expiresIn;

        var first = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);
        var second = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("access-token-1", first.Value);
        Assert.Equal("access-token-2", second.Value);
    }

    [Fact]
    public async Task GetTokenAsync_HugeExpiresIn_KeptAtMostADay()
    {
        _services.TokenEndpoint.ExpiresIn = int.MaxValue;

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(_services.Time.GetUtcNow() + TimeSpan.FromHours(24), token.ExpiresAt);
    }

    [Fact]
    public async Task GetTokenAsync_TwoClientsWithOtherScopes_EachGetsItsOwnToken()
    {
        _services.ConfigureServices = s => s.AddHttpClient("billing", c => c.BaseAddress = new Uri("https://billing.example.com/"))
            .AddClientCredentialsToken(o =>
            {
                TestServices.Defaults(o);
                o.Scope = "billing.read";
            });

        var orders = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);
        var billing = await _services.TokenProvider.GetTokenAsync("billing");
        var ordersAgain = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(orders.Value, billing.Value);
        Assert.Equal(orders.Value, ordersAgain.Value);
        Assert.Equal(["orders.read", "billing.read"], _services.TokenEndpoint.Requests.Select(r => r.Fields["scope"]));
    }

    [Fact]
    public async Task GetTokenAsync_UnknownClientName_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _services.TokenProvider.GetTokenAsync("nobody").AsTask());

        Assert.Contains("nobody", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task InvalidateToken_CurrentToken_NextCallGetsNewOne()
    {
        var first = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        _services.TokenProvider.InvalidateToken(TestServices.ClientName, first);
        var second = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(first.Value, second.Value);
    }

    [Fact]
    public async Task InvalidateToken_OlderToken_KeepsNewerOne()
    {
        var first = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);
        _services.TokenProvider.InvalidateToken(TestServices.ClientName, first);
        var second = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        _services.TokenProvider.InvalidateToken(TestServices.ClientName, first);
        var third = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Same(second, third);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ParametersAndOriginsFromConfiguration_BoundIntoCollectionsMadeOnDemand()
    {
        // The options make their collections and settings objects when first asked for; binding must still fill them.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
            ["Orders:ClientId"] = TestServices.ClientId,
            ["Orders:ClientSecret"] = TestServices.ClientSecret,
            ["Orders:Parameters:audience"] = "orders-api",
            ["Orders:ApiOrigins:0"] = "https://api.example.com/",
            ["Orders:Dpop:Enabled"] = "false",
        }).Build();
        var stub = new TokenEndpointStub();
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => stub.Handler);
        services.AddClientCredentialsTokenClient(TestServices.ClientName, configuration.GetSection("Orders"));
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync(TestServices.ClientName);
        var options = provider.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>().Get(TestServices.ClientName);

        Assert.Equal("orders-api", stub.Requests.Single().Fields["audience"]);
        Assert.Equal([new Uri("https://api.example.com/")], options.ApiOrigins);
    }

    [Fact]
    public async Task SendAsync_ConfigurationReloaded_NextRequestCarriesTokenOfNewSettings()
    {
        // The handler's hit path reads the client's configuration from a field: a change of options must withdraw it.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
            ["Orders:ClientId"] = TestServices.ClientId,
            ["Orders:ClientSecret"] = "old-secret",
            ["Orders:Scope"] = "orders.read",
        }).Build();
        var stub = new TokenEndpointStub();
        var api = new ApiStub();
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => stub.Handler);
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => api.Handler)
            .AddClientCredentialsToken(configuration.GetSection("Orders"));
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(TestServices.ClientName);
        (await client.GetAsync(new Uri("orders", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("orders", UriKind.Relative))).Dispose();

        configuration["Orders:Scope"] = "orders.write";
        configuration.Reload();
        (await client.GetAsync(new Uri("orders", UriKind.Relative))).Dispose();

        Assert.Equal(["access-token-1", "access-token-1", "access-token-2"], api.Calls.Select(c => c.Token));
        Assert.Equal("orders.write", stub.Requests.Last().Fields["scope"]);
    }

    [Fact]
    public async Task GetTokenAsync_ConfigurationReloadedWithRotatedSecret_NewSecretUsedAndOldTokenDropped()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
            ["Orders:ClientId"] = TestServices.ClientId,
            ["Orders:ClientSecret"] = "old-secret",
            ["Orders:ClientAuthentication"] = "ClientSecretPost",
            ["Orders:Scope"] = "orders.read",
        }).Build();
        var stub = new TokenEndpointStub();
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => stub.Handler);
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .AddClientCredentialsToken(configuration.GetSection("Orders"));
        using var provider = services.BuildServiceProvider();
        var tokens = provider.GetRequiredService<IClientCredentialsTokenProvider>();
        var before = await tokens.GetTokenAsync(TestServices.ClientName);

        configuration["Orders:ClientSecret"] = "new-secret";
        configuration["Orders:Scope"] = "orders.write";
        configuration.Reload();
        var after = await tokens.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(before.Value, after.Value);
        Assert.Equal(["old-secret", "new-secret"], stub.Requests.Select(r => r.Fields["client_secret"]));
        Assert.Equal("orders.write", stub.Requests.Last().Fields["scope"]);
    }
}
