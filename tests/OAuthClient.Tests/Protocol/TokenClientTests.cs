using System.Net;
using System.Text;
using OAuthClient.Tests.Support;
using RichardSzalay.MockHttp;

namespace OAuthClient.Tests.Protocol;

public sealed class TokenClientTests : IDisposable
{
    private readonly TestServices _services = new();

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("invalid_client", HttpStatusCode.Unauthorized)]
    [InlineData("invalid_scope", HttpStatusCode.BadRequest)]
    [InlineData("unauthorized_client", HttpStatusCode.BadRequest)]
    public async Task GetTokenAsync_OAuthError_TypedErrorWithoutRetry(string oauthError, HttpStatusCode status)
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Error(status, oauthError, "Told you so."));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal(oauthError, error.Error);
        Assert.Equal("Told you so.", error.ErrorDescription);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(TokenEndpointStub.Endpoint, error.Endpoint);
        Assert.Contains(oauthError, error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_AfterFailure_NothingCachedAndNextCallAsksAgain()
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_client", "No."));
        await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_503Then200_SucceedsAfterRetry()
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ServerKeepsFailing_GivesUpAfterConfiguredRetries()
    {
        _services.Configure = o => o.TokenRequestRetries = 2;
        for (var i = 0; i < 5; i++)
        {
            _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.BadGateway));
        }

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_NetworkError_RetriedThenTyped()
    {
        _services.Configure = o => o.TokenRequestRetries = 1;
        _services.TokenEndpoint.Then(() => throw new HttpRequestException("Connection refused"));
        _services.TokenEndpoint.Then(() => throw new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.IsType<HttpRequestException>(error.InnerException, exactMatch: false);
        Assert.Contains("could not reach", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData("text/html", "<html><body>Sign in</body></html>")]
    [InlineData("application/json", "{\"access_token\": ")]
    public async Task GetTokenAsync_BodyNotJson_SaysSo(string mediaType, string body)
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, mediaType) });

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Contains("not a JSON token response", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
    }

    [Theory]
    [InlineData("{\"token_type\":\"Bearer\",\"expires_in\":300}", "no access_token")]
    [InlineData("{\"access_token\":\"abc\",\"token_type\":\"mac\"}", "token_type 'mac'")]
    [InlineData("{\"access_token\":\"a\\nb\",\"token_type\":\"Bearer\"}", "cannot be sent")]
    public async Task GetTokenAsync_UnusableToken_SaysWhy(string json, string reason)
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK, json));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7 * 24)]
    [InlineData(null)]
    public async Task GetTokenAsync_NoExpiresInAndDefaultOver24Hours_KeptAtMost24Hours(int? defaultHours)
    {
        _services.TokenEndpoint.ExpiresIn = null;
        _services.Configure = o => o.DefaultTokenLifetime = defaultHours is { } h ? TimeSpan.FromHours(h) : TimeSpan.MaxValue;

        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(_services.Time.GetUtcNow() + TimeSpan.FromHours(24), token.ExpiresAt);
    }

    [Fact]
    public async Task GetTokenAsync_NotFound_PointsAtEndpointSetting()
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.NotFound));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("TokenEndpoint", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ClientSecretBasic_FormEncodesCredentialsBeforeBase64()
    {
        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var request = Assert.Single(_services.TokenEndpoint.Requests);
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:s3cr%3Aet%2Bv%25al%2Fue"));
        Assert.Equal($"Basic {expected}", request.Authorization);
        Assert.False(request.Fields.ContainsKey("client_secret"));
        Assert.Equal("client_credentials", request.Fields["grant_type"]);
    }

    [Fact]
    public async Task GetTokenAsync_ClientSecretPost_SendsCredentialsInBodyOnly()
    {
        _services.Configure = o => o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost;

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var request = Assert.Single(_services.TokenEndpoint.Requests);
        Assert.Null(request.Authorization);
        Assert.Equal(TestServices.ClientId, request.Fields["client_id"]);
        Assert.Equal(TestServices.ClientSecret, request.Fields["client_secret"]);
    }

    [Fact]
    public async Task GetTokenAsync_ScopeResourceAndParameters_SentInForm()
    {
        _services.Configure = o =>
        {
            o.Scope = "orders.read orders.write";
            o.Resource = "https://api.example.com/";
            o.Parameters["audience"] = "orders-api";
        };

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var fields = Assert.Single(_services.TokenEndpoint.Requests).Fields;
        Assert.Equal("orders.read orders.write", fields["scope"]);
        Assert.Equal("https://api.example.com/", fields["resource"]);
        Assert.Equal("orders-api", fields["audience"]);
    }

    [Fact]
    public async Task GetTokenAsync_Authority_FindsTokenEndpointThroughDiscoveryOnce()
    {
        var discovery = _services.TokenEndpoint.Handler
            .When(HttpMethod.Get, "https://login.example.com/.well-known/openid-configuration")
            .Respond("application/json", """{"issuer":"https://login.example.com","token_endpoint":"https://login.example.com/connect/token"}""");
        _services.Configure = o =>
        {
            o.TokenEndpoint = null;
            o.Authority = TokenEndpointStub.Authority;
        };

        var first = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);
        _services.Time.Advance(TimeSpan.FromSeconds(first.ExpiresAt.Subtract(_services.Time.GetUtcNow()).TotalSeconds));
        var second = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(first.Value, second.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
        Assert.Equal(1, _services.TokenEndpoint.Handler.GetMatchCount(discovery));
    }

    [Fact]
    public async Task GetTokenAsync_DiscoveryIssuerMismatch_Refused()
    {
        _services.TokenEndpoint.Handler
            .When(HttpMethod.Get, "https://login.example.com/.well-known/openid-configuration")
            .Respond("application/json", """{"issuer":"https://evil.example.net","token_endpoint":"https://login.example.com/connect/token"}""");
        _services.Configure = o =>
        {
            o.TokenEndpoint = null;
            o.Authority = TokenEndpointStub.Authority;
        };

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Contains("discovery document", error.Message, StringComparison.Ordinal);
        Assert.Equal(TokenEndpointStub.Authority, error.Endpoint);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }
}
