using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using OAuthClient.Tests.Support;
using Polly;

namespace OAuthClient.Tests.Http;

/// <summary>
/// Beside the real <c>AddStandardResilienceHandler()</c> (Microsoft.Extensions.Http.Resilience), in both orders and
/// through <c>ConfigureHttpClientDefaults</c> as .NET Aspire's service defaults wire it.
/// </summary>
public sealed class ResilienceTests : IDisposable
{
    private readonly TokenEndpointStub _tokens = new();
    private readonly ApiStub _api = new();
    private ServiceProvider? _provider;
    private Action<IServiceCollection>? _extraServices;

    public enum Order
    {
        /// <summary>Added before ours: outside, it re-sends the message our handler already authorized.</summary>
        ResilienceOutside,

        /// <summary>Added after ours: inside, between our handler and the transport.</summary>
        ResilienceInside,

        /// <summary>From <c>ConfigureHttpClientDefaults</c>, as .NET Aspire's service defaults do.</summary>
        ClientDefaults,
    }

    public void Dispose() => _provider?.Dispose();

    [Theory]
    [InlineData(Order.ResilienceOutside)]
    [InlineData(Order.ResilienceInside)]
    [InlineData(Order.ClientDefaults)]
    public async Task SendAsync_503Then401Then200_200WithOneNewToken(Order order)
    {
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.Unauthorized, HttpStatusCode.OK]);
        _api.Respond = _ => answers.Dequeue() switch
        {
            HttpStatusCode.Unauthorized => ApiStub.Unauthorized(),
            var status => new HttpResponseMessage(status),
        };
        using var client = CreateClient(order);

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-1", "access-token-2"], _api.Calls.Select(c => c.Token));
        Assert.Equal(2, _tokens.RequestCount);
    }

    [Theory]
    [InlineData(Order.ResilienceOutside)]
    [InlineData(Order.ResilienceInside)]
    [InlineData(Order.ClientDefaults)]
    public async Task SendAsync_WrongSecret_OneTokenRequestAndTheTypedError(Order order)
    {
        for (var i = 0; i < 10; i++)
        {
            _tokens.Then(() => TokenEndpointStub.Error(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed."));
        }

        using var client = CreateClient(order);

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync(new Uri("orders", UriKind.Relative)));

        Assert.Equal("invalid_client", error.Error);
        Assert.Equal(1, _tokens.RequestCount);
        Assert.Empty(_api.Calls);
    }

    [Theory]
    [InlineData(Order.ResilienceOutside)]
    [InlineData(Order.ResilienceInside)]
    [InlineData(Order.ClientDefaults)]
    public async Task SendAsync_DpopAndRetries_EveryAttemptHasItsOwnProof(Order order)
    {
        _tokens.TokenType = "DPoP";
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        _api.Respond = _ => new HttpResponseMessage(answers.Dequeue());
        using var client = CreateClient(order, o => o.Dpop.Enabled = true);

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = _api.Calls.Select(c => new JsonWebToken(c.Dpop!).Id).ToArray();
        Assert.Equal(3, ids.Length);
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task GetTokenAsync_ClientDefaultsResilience_TokenEndpointAttemptsOnlyOursEachWithFreshAssertionAndProof()
    {
        // ConfigureHttpClientDefaults reaches the token endpoint's HttpClient too; its retries would re-send one
        // client assertion and one DPoP proof, both single-use. Token traffic keeps its own retry policy.
        _tokens.TokenType = "DPoP";
        _tokens.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _tokens.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var client = CreateClient(Order.ClientDefaults, o =>
        {
            o.Dpop.Enabled = true;
            o.TokenRequestRetries = 2;
        });

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _tokens.RequestCount);
        Assert.Equal(3, _tokens.Requests.Select(r => new JsonWebToken(r.Dpop!).Id).Distinct().Count());
    }

    [Fact]
    public async Task GetTokenAsync_NamedBackchannelTheAppCreatedFirst_ClientDefaultsResilienceStillLeftOut()
    {
        var idp = new TokenEndpointStub { TokenType = "DPoP" };
        idp.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        idp.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _extraServices = services => services.AddHttpClient("idp").ConfigurePrimaryHttpMessageHandler(() => idp.Handler);
        using var client = CreateClient(Order.ClientDefaults, o =>
        {
            o.Dpop.Enabled = true;
            o.TokenRequestRetries = 2;
            o.BackchannelHttpClientName = "idp";
        });
        _provider!.GetRequiredService<IHttpClientFactory>().CreateClient("idp").Dispose();

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, idp.RequestCount);
        Assert.Equal(3, idp.Requests.Select(r => new JsonWebToken(r.Dpop!).Id).Distinct().Count());
    }

    private HttpClient CreateClient(Order order, Action<ClientCredentialsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero)));
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _tokens.Handler);
        if (order == Order.ClientDefaults)
        {
            services.ConfigureHttpClientDefaults(b => AddResilience(b));
        }

        var builder = services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => _api.Handler);
        if (order == Order.ResilienceOutside)
        {
            AddResilience(builder);
        }

        builder.AddClientCredentialsToken(o =>
        {
            TestServices.Defaults(o);
            configure?.Invoke(o);
        });
        if (order == Order.ResilienceInside)
        {
            AddResilience(builder);
        }

        _extraServices?.Invoke(services);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IHttpClientFactory>().CreateClient(TestServices.ClientName);
    }

    // The standard handler as shipped, without its back-off waits, so the test takes no wall-clock time.
    private static void AddResilience(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
    {
        o.Retry.Delay = TimeSpan.Zero;
        o.Retry.BackoffType = DelayBackoffType.Constant;
        o.Retry.UseJitter = false;
    });
}
