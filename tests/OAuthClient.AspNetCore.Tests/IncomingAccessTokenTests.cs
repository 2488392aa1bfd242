using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.AspNetCore.Tests;

/// <summary><c>UseIncomingAccessToken()</c>: the subject of each downstream request is the bearer token of the incoming request it is made for.</summary>
public sealed class IncomingAccessTokenTests : IDisposable
{
    private const string ClientName = "downstream";

    private readonly TokenEndpointStub _tokens = new();
    private readonly ApiStub _api = new();
    private readonly ServiceProvider _services;

    public IncomingAccessTokenTests()
    {
        _tokens.TokenFor = fields => fields.TryGetValue("subject_token", out var subject) ? $"for-{subject}" : null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _tokens.Handler);
        services.AddClientCredentialsTokenClient("front-api", o =>
        {
            o.TokenEndpoint = TokenEndpointStub.Endpoint;
            o.ClientId = "front-api";
            o.ClientSecret = "secret";
        });
        services.AddHttpClient(ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => _api.Handler)
            .AddTokenExchange(o => { o.TokenClientName = "front-api"; o.Audience = "downstream-api"; })
            .UseIncomingAccessToken();
        _services = services.BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("Bearer alice-token")]
    [InlineData("bearer alice-token")]
    [InlineData("Bearer   alice-token  ")]
    public async Task SendAsync_IncomingBearerToken_IsTheSubject(string authorization)
    {
        Incoming(authorization);

        using var response = await Client().GetAsync(new Uri("profile", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exchange = Assert.Single(_tokens.Requests);
        Assert.Equal("alice-token", exchange.Fields["subject_token"]);
        Assert.Equal(TokenTypeIdentifiers.AccessToken, exchange.Fields["subject_token_type"]);
        Assert.Equal("for-alice-token-1", Assert.Single(_api.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_TwoIncomingRequests_EachCarriesItsOwnUsersToken()
    {
        var client = Client();

        Incoming("Bearer alice-token");
        using var alice = await client.GetAsync(new Uri("profile", UriKind.Relative));
        Incoming("Bearer bob-token");
        using var bob = await client.GetAsync(new Uri("profile", UriKind.Relative));
        Incoming("Bearer alice-token");
        using var aliceAgain = await client.GetAsync(new Uri("profile", UriKind.Relative));

        Assert.Equal(["for-alice-token-1", "for-bob-token-2", "for-alice-token-1"], _api.Calls.Select(c => c.Token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    public async Task SendAsync_NoBearerToken_MissingSubjectTokenAndNothingSent(string? authorization)
    {
        Incoming(authorization);

        var ex = await Assert.ThrowsAsync<MissingSubjectTokenException>(() => Client().GetAsync(new Uri("profile", UriKind.Relative)));

        Assert.Equal(ClientName, ex.ClientName);
        Assert.Empty(_api.Calls);
        Assert.Equal(0, _tokens.RequestCount);
    }

    [Fact]
    public async Task SendAsync_TwoAuthorizationHeaders_NoSubject()
    {
        var context = Incoming(null);
        context.Request.Headers.Authorization = new Microsoft.Extensions.Primitives.StringValues(["Bearer alice-token", "Bearer bob-token"]);

        await Assert.ThrowsAsync<MissingSubjectTokenException>(() => Client().GetAsync(new Uri("profile", UriKind.Relative)));

        Assert.Equal(0, _tokens.RequestCount);
    }

    [Fact]
    public async Task SendAsync_IncomingDpopToken_RefusedWithTheReasonAndNotForwarded()
    {
        Incoming("DPoP dpop-bound-token");

        var ex = await Assert.ThrowsAsync<MissingSubjectTokenException>(() => Client().GetAsync(new Uri("profile", UriKind.Relative)));

        Assert.Contains("DPoP-bound", ex.Message);
        Assert.DoesNotContain("dpop-bound-token", ex.Message);
        Assert.Empty(_api.Calls);
        Assert.Equal(0, _tokens.RequestCount);
    }

    [Fact]
    public async Task SendAsync_AnonymousIncomingRequest_CallersStringNotExchanged()
    {
        // An endpoint that allows anonymous callers: a Bearer header nobody validated is not exchanged with our credentials.
        Incoming("Bearer anything-a-caller-sends", authenticated: false);

        await Assert.ThrowsAsync<MissingSubjectTokenException>(() => Client().GetAsync(new Uri("profile", UriKind.Relative)));

        Assert.Equal(0, _tokens.RequestCount);
        Assert.Empty(_api.Calls);
    }

    [Fact]
    public async Task SendAsync_OutsideAnIncomingRequest_MissingSubjectToken()
    {
        _services.GetRequiredService<IHttpContextAccessor>().HttpContext = null;

        await Assert.ThrowsAsync<MissingSubjectTokenException>(() => Client().GetAsync(new Uri("profile", UriKind.Relative)));

        Assert.Empty(_api.Calls);
    }

    private HttpClient Client() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    private DefaultHttpContext Incoming(string? authorization, bool authenticated = true)
    {
        var context = new DefaultHttpContext();
        if (authenticated)
        {
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity("Bearer"));
        }

        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        _services.GetRequiredService<IHttpContextAccessor>().HttpContext = context;
        return context;
    }
}
