using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.DependencyInjection;

/// <summary>Token clients registered apart from HttpClients: shared tokens, unknown names, and a backchannel of their own.</summary>
public sealed class TokenClientTests : IDisposable
{
    private const string TokenClientName = "orders-token";

    private readonly TestServices _services = new();
    private readonly TokenEndpointStub _ownBackchannel = new();

    public TokenClientTests()
    {
        _services.ConfigureServices = services =>
        {
            services.AddClientCredentialsTokenClient(TokenClientName, TestServices.Defaults);
            foreach (var name in new[] { "orders-read", "orders-write" })
            {
                services.AddHttpClient(name, c => c.BaseAddress = ApiStub.BaseAddress)
                    .ConfigurePrimaryHttpMessageHandler(() => _services.Api.Handler)
                    .AddClientCredentialsToken(TokenClientName);
            }
        };
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task AddClientCredentialsToken_TwoHttpClientsOneTokenClient_ShareOneToken()
    {
        var factory = _services.Services.GetRequiredService<IHttpClientFactory>();

        using var read = await factory.CreateClient("orders-read").GetAsync(new Uri("orders", UriKind.Relative));
        using var write = await factory.CreateClient("orders-write").GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
        Assert.All(_services.Api.Calls, call => Assert.Equal("access-token-1", call.Token));
        Assert.Equal(2, _services.Api.Calls.Count);
    }

    [Fact]
    public async Task AddClientCredentialsToken_TokenClientAndProvider_SameToken()
    {
        var factory = _services.Services.GetRequiredService<IHttpClientFactory>();
        using var response = await factory.CreateClient("orders-read").GetAsync(new Uri("orders", UriKind.Relative));

        var token = await _services.TokenProvider.GetTokenAsync(TokenClientName);

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public void CreateClient_UnregisteredTokenClient_FailsNamingIt()
    {
        _services.ConfigureServices += services => services.AddHttpClient("stray").AddClientCredentialsToken("nobody");
        var factory = _services.Services.GetRequiredService<IHttpClientFactory>();

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient("stray"));

        Assert.Contains("'nobody'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddClientCredentialsTokenClient", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_UnknownNames_FailEachTimeAndKnownNamesStillWork()
    {
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _services.TokenProvider.GetTokenAsync("tenant-" + i).AsTask());
            Assert.Contains($"'tenant-{i}'", error.Message, StringComparison.Ordinal);
        }

        var token = await _services.TokenProvider.GetTokenAsync(TokenClientName);

        Assert.Equal("access-token-1", token.Value);
    }

    [Fact]
    public async Task GetTokenAsync_NameConfiguredThroughNamedOptionsOnly_ServedLikeARegisteredOne()
    {
        _services.ConfigureServices += services => services.Configure<ClientCredentialsOptions>("named-only", TestServices.Defaults);

        var token = await _services.TokenProvider.GetTokenAsync("named-only");

        Assert.Equal("access-token-1", token.Value);
    }

    [Fact]
    public async Task GetTokenAsync_BackchannelHttpClientName_TokenTrafficGoesThroughThatClientOnly()
    {
        _services.ConfigureServices += services =>
        {
            services.AddHttpClient("orders-backchannel").ConfigurePrimaryHttpMessageHandler(() => _ownBackchannel.Handler);
            services.Configure<ClientCredentialsOptions>(TokenClientName, o => o.BackchannelHttpClientName = "orders-backchannel");
        };

        var token = await _services.TokenProvider.GetTokenAsync(TokenClientName);

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(1, _ownBackchannel.RequestCount);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    [InlineData(HttpStatusCode.Found)]
    public async Task GetTokenAsync_TokenEndpointRedirects_TypedErrorAndNoSecondRequest(HttpStatusCode status)
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(status) { Headers = { Location = new Uri("https://elsewhere.example/token") } });

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TokenClientName).AsTask());

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(TokenEndpointStub.Endpoint, error.Endpoint);
        Assert.Contains("https://elsewhere.example", error.Message, StringComparison.Ordinal);
        Assert.Contains("not followed", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_TokenClientWithoutClientId_ValidationNamesTheTokenClient()
    {
        _services.ConfigureServices += services => services.Configure<ClientCredentialsOptions>(TokenClientName, o => o.ClientId = null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => _services.TokenProvider.GetTokenAsync(TokenClientName).AsTask());

        Assert.Contains($"'{TokenClientName}'", Assert.Single(error.Failures), StringComparison.Ordinal);
    }
}
