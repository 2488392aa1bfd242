using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;
using RichardSzalay.MockHttp;

namespace OAuthClient.Tests.Protocol;

public sealed class TokenEndpointFaultTests : IDisposable
{
    private static readonly Uri Discovery = new("https://login.example.com/.well-known/openid-configuration");

    private readonly TestServices _services = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task GetTokenAsync_BodyOverSizeCap_TypedErrorWithoutRetry()
    {
        var padding = new string('x', 70 * 1024);
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK, $$"""{"access_token":"abc","token_type":"Bearer","pad":"{{padding}}"}"""));

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_BodyOverSizeCapRaisedByUser_Accepted()
    {
        _services.ConfigureServices = s => s.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName, c => c.MaxResponseContentBufferSize = 1024 * 1024);
        var padding = new string('x', 70 * 1024);
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK, $$"""{"access_token":"abc","token_type":"Bearer","pad":"{{padding}}"}"""));

        var token = await GetToken();

        Assert.Equal("abc", token.Value);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task GetTokenAsync_TransientStatusThenToken_Retried(HttpStatusCode status)
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(status));

        var token = await GetToken();

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "invalid_grant")]
    [InlineData(HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData(HttpStatusCode.Forbidden, "unauthorized_client")]
    [InlineData(HttpStatusCode.Forbidden, null)]
    [InlineData(HttpStatusCode.MethodNotAllowed, null)]
    public async Task GetTokenAsync_PermanentFailure_TypedAndNotRetried(HttpStatusCode status, string? oauthError)
    {
        _services.TokenEndpoint.Then(() => oauthError is null
            ? new HttpResponseMessage(status)
            : TokenEndpointStub.Error(status, oauthError, "No."));

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(oauthError, error.Error);
        Assert.Contains($"{(int)status}", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_NameNotResolved_RetriedThenTypedWithTheCause()
    {
        for (var i = 0; i < 3; i++)
        {
            _services.TokenEndpoint.Then(() => throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (login.example.com:443)"));
        }

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Contains("could not reach", error.Message, StringComparison.Ordinal);
        Assert.Contains("Name or service not known", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpRequestError.NameResolutionError, Assert.IsType<HttpRequestException>(error.InnerException).HttpRequestError);
        Assert.True(error.IsTransient);
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_TlsFailure_TypedWithoutRetry()
    {
        _services.TokenEndpoint.Then(() => throw new HttpRequestException(
            HttpRequestError.SecureConnectionError, "The SSL connection could not be established.",
            new System.Security.Authentication.AuthenticationException("The remote certificate is invalid.")));

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Contains("SSL connection", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_EmptyBody_SaysItIsNotATokenResponse()
    {
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("") });

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "[]")]
    [InlineData(HttpStatusCode.OK, "42")]
    [InlineData(HttpStatusCode.BadRequest, "[]")]
    [InlineData(HttpStatusCode.Unauthorized, "\"invalid_client\"")]
    public async Task GetTokenAsync_BodyJsonButNotAnObject_TypedErrorWithStatus(HttpStatusCode status, string body)
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(status, body));

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Equal(status, error.StatusCode);
        Assert.Contains("not a JSON object", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(3600, 10)]
    public async Task GetTokenAsync_429WithRetryAfter_WaitsAsToldButNoLongerThanTenSeconds(int retryAfter, int expectedWait)
    {
        _services.TokenEndpoint.Then(() =>
        {
            var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfter));
            return busy;
        });

        var pending = GetToken();
        var retry = await WaitForLogAsync(112);
        for (var i = 0; i < 20 && !pending.IsCompleted; i++)
        {
            // The delay timer starts just after the retry is logged; step the clock until it fires.
            _services.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(pending, Task.Delay(10));
        }

        var token = await pending;
        Assert.Equal("access-token-1", token.Value);
        Assert.Contains($"{TimeSpan.FromSeconds(expectedWait)}", retry.Message, StringComparison.Ordinal);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_DiscoveryUnavailableOnce_RetriedThenTokenRequested()
    {
        UseAuthority();
        var attempts = 0;
        _services.TokenEndpoint.Handler.When(HttpMethod.Get, Discovery.AbsoluteUri).Respond(_ => Interlocked.Increment(ref attempts) == 1
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : TokenEndpointStub.Json(HttpStatusCode.OK, """{"issuer":"https://login.example.com","token_endpoint":"https://login.example.com/connect/token"}"""));

        var token = await GetToken();

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(2, attempts);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_DiscoveryDocumentMissing_SaysSoAndNamesAuthority()
    {
        UseAuthority();
        _services.TokenEndpoint.Handler.When(HttpMethod.Get, Discovery.AbsoluteUri).Respond(HttpStatusCode.NotFound);

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Contains("discovery document", error.Message, StringComparison.Ordinal);
        Assert.Equal(TokenEndpointStub.Authority, error.Endpoint);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"issuer":"https://login.example.com"}""")]
    public async Task GetTokenAsync_DiscoveryDocumentUnusable_SaysSo(string document)
    {
        UseAuthority();
        _services.TokenEndpoint.Handler.When(HttpMethod.Get, Discovery.AbsoluteUri).Respond("application/json", document);

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        Assert.Contains("discovery document", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_DiscoveryNamesPlainHttpTokenEndpoint_Refused()
    {
        UseAuthority();
        _services.TokenEndpoint.Handler.When(HttpMethod.Get, Discovery.AbsoluteUri)
            .Respond("application/json", """{"issuer":"https://login.example.com","token_endpoint":"http://login.example.com/connect/token"}""");

        var error = await Assert.ThrowsAsync<TokenRequestException>(GetToken);

        // Refused as not the authority's (https) origin, naming the endpoint.
        Assert.Contains("http://login.example.com/connect/token", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    private Task<AccessToken> GetToken() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask();

    private void UseAuthority() => _services.Configure = o =>
    {
        o.TokenEndpoint = null;
        o.Authority = TokenEndpointStub.Authority;
    };

    private async Task<CapturingLoggerProvider.LogLine> WaitForLogAsync(int eventId)
    {
        for (var i = 0; i < 500; i++)
        {
            if (_services.Logs.Lines.FirstOrDefault(l => l.EventId.Id == eventId) is { } line)
            {
                return line;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No log line {eventId} within 5 seconds.");
    }
}
