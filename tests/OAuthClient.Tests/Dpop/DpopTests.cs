using OAuthClient.Internal;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Dpop;

public sealed class DpopTests : IDisposable
{
    private readonly TestServices _services = new();

    public DpopTests()
    {
        _services.TokenEndpoint.TokenType = "DPoP";
        _services.Configure = o => o.Dpop.Enabled = true;
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task SendAsync_DpopTurnedOnAfterHandlersWereBuilt_FailsClosedWithoutCallingApi()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
            ["Orders:ClientId"] = TestServices.ClientId,
            ["Orders:ClientSecret"] = TestServices.ClientSecret,
            ["Orders:Dpop:Enabled"] = "false",
        }).Build();
        var tokens = new TokenEndpointStub { TokenType = "DPoP" };
        var api = new ApiStub();
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => tokens.Handler);
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => api.Handler)
            .AddClientCredentialsToken(configuration.GetSection("Orders"));
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(TestServices.ClientName);

        configuration["Orders:Dpop:Enabled"] = "true";
        configuration.Reload();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("orders"));

        Assert.Contains("DPoP", error.Message, StringComparison.Ordinal);
        Assert.Empty(api.Calls);
    }

    [Theory]
    [InlineData("https://api.example.com/orders")]
    [InlineData("https://elsewhere.example/orders")]
    public async Task SendAsync_CallerSetItsOwnDpopHeader_NoProofSignedWithTheClientsKey(string url)
    {
        using var client = _services.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", "callers-own-token");

        using var response = await client.SendAsync(request);

        var call = Assert.Single(_services.Api.Calls);
        Assert.Equal("callers-own-token", call.Token);
        Assert.Null(call.Dpop);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_SameOriginRedirectAnswers401_TokenItNeverCarriedIsNotDropped()
    {
        using var client = _services.CreateClient();
        _services.Api.Respond = call =>
        {
            if (call.Uri.AbsolutePath == "/jump")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.Found);
                redirect.Headers.Location = new Uri("https://api.example.com/landing");
                return redirect;
            }

            return call.Token is null ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);
        };

        using (var jumped = await client.GetAsync("jump"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, jumped.StatusCode);
        }

        using var next = await client.GetAsync("landing");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_Dpop_TokenRequestCarriesValidProof()
    {
        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var proof = Assert.Single(_services.TokenEndpoint.Requests).Dpop!;
        var jwk = TestKeys.HeaderJwk(proof);
        var jwt = await TestKeys.ValidateAsync(proof, jwk, "dpop+jwt", "ES256");
        Assert.Equal("EC", jwk.Kty);
        Assert.Null(jwk.D);
        Assert.Equal(["crv", "kty", "x", "y"], jwt.GetHeaderValue<System.Text.Json.JsonElement>("jwk").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(jwt.TryGetHeaderValue<string>("kid", out _));
        Assert.Equal("POST", jwt.GetPayloadValue<string>("htm"));
        Assert.Equal(TokenEndpointStub.Endpoint.AbsoluteUri, jwt.GetPayloadValue<string>("htu"));
        Assert.Equal(_services.Time.GetUtcNow().ToUnixTimeSeconds(), jwt.GetPayloadValue<long>("iat"));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.False(jwt.TryGetPayloadValue<string>("ath", out _));
    }

    [Fact]
    public async Task SendAsync_DpopToken_SentWithDpopSchemeAndProofWithAth()
    {
        using var client = _services.CreateClient();

        (await client.GetAsync("orders/7?expand=lines#top")).Dispose();

        var call = Assert.Single(_services.Api.Calls);
        Assert.Equal("DPoP", call.Scheme);
        Assert.Equal("access-token-1", call.Token);
        var jwt = await TestKeys.ValidateAsync(call.Dpop!, TestKeys.HeaderJwk(call.Dpop!), "dpop+jwt", "ES256");
        Assert.Equal("GET", jwt.GetPayloadValue<string>("htm"));
        Assert.Equal("https://api.example.com/orders/7", jwt.GetPayloadValue<string>("htu"));
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes("access-token-1"))), jwt.GetPayloadValue<string>("ath"));
    }

    [Fact]
    public async Task SendAsync_TwoRequests_EachProofHasNewJtiAndSameKey()
    {
        using var client = _services.CreateClient();

        (await client.GetAsync("orders/1")).Dispose();
        (await client.PostAsync("orders", new StringContent("{}"))).Dispose();

        var proofs = _services.Api.Calls.Select(c => new JsonWebToken(c.Dpop)).ToArray();
        Assert.NotEqual(proofs[0].Id, proofs[1].Id);
        Assert.Equal("POST", proofs[1].GetPayloadValue<string>("htm"));
        Assert.Equal(TestKeys.HeaderJwk(proofs[0].EncodedToken).X, TestKeys.HeaderJwk(proofs[1].EncodedToken).X);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_DpopToken_NeverSentAsBearer()
    {
        using var client = _services.CreateClient();
        _services.Api.Respond = call => call.Token == "access-token-1" ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);

        (await client.GetAsync("orders/1")).Dispose();

        Assert.Equal(2, _services.Api.Calls.Count);
        Assert.All(_services.Api.Calls, c => Assert.Equal("DPoP", c.Scheme));
        Assert.All(_services.Api.Calls, c => Assert.NotNull(c.Dpop));
    }

    [Fact]
    public async Task GetTokenAsync_ServerAnswersBearer_FailsWithoutCallingApi()
    {
        _services.TokenEndpoint.TokenType = "Bearer";
        using var client = _services.CreateClient();

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync("orders/1"));

        Assert.Contains("not DPoP", error.Message, StringComparison.Ordinal);
        Assert.Empty(_services.Api.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_TokenEndpointAsksForNonce_RetriesOnceWithNonceAndNewAssertion()
    {
        using var rsa = TestKeys.Rsa();
        _services.Configure = o =>
        {
            o.Dpop.Enabled = true;
            o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertion.Jwk = TestKeys.PrivateJwk(rsa);
        };
        _services.TokenEndpoint.Then(() =>
        {
            var response = TokenEndpointStub.Error(HttpStatusCode.BadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof");
            response.Headers.Add("DPoP-Nonce", "server-nonce-1");
            return response;
        });

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var requests = _services.TokenEndpoint.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.False(new JsonWebToken(requests[0].Dpop).TryGetPayloadValue<string>("nonce", out _));
        Assert.Equal("server-nonce-1", new JsonWebToken(requests[1].Dpop).GetPayloadValue<string>("nonce"));
        Assert.NotEqual(new JsonWebToken(requests[0].Dpop).Id, new JsonWebToken(requests[1].Dpop).Id);
        Assert.NotEqual(new JsonWebToken(requests[0].Fields["client_assertion"]).Id, new JsonWebToken(requests[1].Fields["client_assertion"]).Id);
    }

    [Fact]
    public async Task GetTokenAsync_TokenEndpointRefusesNonceTwice_FailsAfterTwoRequests()
    {
        for (var i = 0; i < 2; i++)
        {
            _services.TokenEndpoint.Then(() =>
            {
                var response = TokenEndpointStub.Error(HttpStatusCode.BadRequest, "use_dpop_nonce", "nonce");
                response.Headers.Add("DPoP-Nonce", "n");
                return response;
            });
        }

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal("use_dpop_nonce", error.Error);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_NonceWithBodyNotAJsonObject_TypedErrorWithoutSecondRequest()
    {
        _services.TokenEndpoint.Then(() =>
        {
            var response = TokenEndpointStub.Json(HttpStatusCode.BadRequest, "[]");
            response.Headers.Add("DPoP-Nonce", "server-nonce-1");
            return response;
        });

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_ApiAsksForNonce_RetriesWithNonceAndSameToken()
    {
        using var client = _services.CreateClient();
        _services.Api.Respond = call =>
        {
            if (new JsonWebToken(call.Dpop).TryGetPayloadValue<string>("nonce", out var nonce) && nonce == "api-nonce-1")
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ParseAdd("DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"");
            response.Headers.Add("DPoP-Nonce", "api-nonce-1");
            return response;
        };

        using var first = await client.GetAsync("orders/1");
        using var second = await client.GetAsync("orders/2");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(3, _services.Api.Calls.Count);
        Assert.All(_services.Api.Calls, c => Assert.Equal("access-token-1", c.Token));
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_ApiRedirectsToOtherHost_NeitherTokenNorProofFollows()
    {
        using var client = _services.CreateClient();
        _services.Api.Respond = call =>
        {
            if (call.Uri.Host == "api.example.com")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.Found);
                redirect.Headers.Location = new Uri("https://elsewhere.example.net/landing");
                return redirect;
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        };

        using var response = await client.GetAsync("jump");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = _services.Api.Calls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.NotNull(calls[0].Dpop);
        Assert.Equal("elsewhere.example.net", calls[1].Uri.Host);
        Assert.Null(calls[1].Scheme);
        Assert.Null(calls[1].Dpop);
    }

    [Fact]
    public async Task SendAsync_RedirectTargetAnswers401_RetryCarriesNoCredentials()
    {
        using var client = _services.CreateClient();
        _services.Api.Respond = call =>
        {
            if (call.Uri.Host == "api.example.com")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                redirect.Headers.Location = new Uri("https://elsewhere.example.net/landing");
                return redirect;
            }

            return ApiStub.Unauthorized();
        };

        (await client.GetAsync("jump")).Dispose();

        Assert.All(_services.Api.Calls.Where(c => c.Uri.Host != "api.example.com"), c =>
        {
            Assert.Null(c.Token);
            Assert.Null(c.Dpop);
        });
    }

    [Fact]
    public void Source_Dpop_CacheKeyHoldsKeyThumbprint()
    {
        using var ecdsa = TestKeys.EcP256();
        var options = new ClientCredentialsOptions
        {
            TokenEndpoint = TokenEndpointStub.Endpoint,
            ClientId = TestServices.ClientId,
            ClientSecret = TestServices.ClientSecret,
            Dpop = { Enabled = true, Jwk = TestKeys.PrivateJwk(ecdsa, kid: null) },
        };
        var thumbprint = Base64UrlEncoder.Encode(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))).ComputeJwkThumbprint());

        var source = CreateSource(options);

        Assert.Equal(thumbprint, source.Dpop!.Thumbprint);
        Assert.Contains(thumbprint, source.SharedKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_TwoDpopKeys_DifferentSharedKeys()
    {
        ClientCredentialsTokenSource Create() => CreateSource(new ClientCredentialsOptions
        {
            TokenEndpoint = TokenEndpointStub.Endpoint,
            ClientId = TestServices.ClientId,
            ClientSecret = TestServices.ClientSecret,
            Dpop = { Enabled = true },
        });

        Assert.NotEqual(Create().SharedKey, Create().SharedKey);
    }

    private ClientCredentialsTokenSource CreateSource(ClientCredentialsOptions options)
    {
        using var backchannel = Backchannel.Own();
        var endpoint = new TokenEndpoint(
            ClientCredentialsTokenSource.EndpointSettings(TestServices.ClientName, options, new ClientKeys()), backchannel, _services.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return new ClientCredentialsTokenSource(TestServices.ClientName, options, endpoint);
    }
}
