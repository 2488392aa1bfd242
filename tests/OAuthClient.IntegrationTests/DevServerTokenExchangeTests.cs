using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;
using static OAuthClient.IntegrationTests.Support.DevServerTokens;

namespace OAuthClient.IntegrationTests;

/// <summary>The development server's token exchange (RFC 8693): the front API trades a user's token for one to the downstream API.</summary>
public sealed class DevServerTokenExchangeTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IDisposable
{
    private readonly DevAuthorizationServer _server = fixture.Server;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _serviceId = $"{DevClients.ServiceClientId}.{Guid.NewGuid():N}";

    [Fact]
    public async Task Exchange_UserTokenWithActorToken_DownstreamSeesUserAndActor()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);
        var actorToken = await GetClientTokenAsync(_http, _server, _serviceId, DevClients.ServiceClientSecret);

        var exchanged = await ExchangeAsync(_http, _server, _serviceId, userToken, actorToken);
        var (status, whoami) = await DownstreamWhoAmIAsync(_http, _server, exchanged.AccessToken!);

        Assert.False(exchanged.IsError, exchanged.Error);
        Assert.Equal(AccessTokenType, exchanged.IssuedTokenType);
        Assert.Equal("Bearer", exchanged.TokenType);
        Assert.InRange(exchanged.ExpiresIn, 1, (int)_server.AccessTokenLifetime.TotalSeconds);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(DevClients.TestUserSubject, whoami!.Subject);
        Assert.Equal(_serviceId, whoami.ClientId);
        Assert.Equal(_serviceId, whoami.Actor!.Value.GetProperty("sub").GetString());
        Assert.Equal(DevClients.DownstreamAudience, Assert.Single(new JsonWebToken(exchanged.AccessToken).Audiences));
        Assert.Equal(1, _server.GetTokenExchangeRequestCount(_serviceId));
        Assert.Equal(2, _server.GetTokenRequestCount(_serviceId));
    }

    [Fact]
    public async Task Exchange_ResourceAndScopeWithoutActor_IssuesDownstreamTokenWithoutAct()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var exchanged = await ExchangeAsync(
            _http, _server, _serviceId, userToken, audience: null, resource: DevClients.DownstreamResource, scope: DevClients.DownstreamReadScope);
        var (status, whoami) = await DownstreamWhoAmIAsync(_http, _server, exchanged.AccessToken!);

        Assert.False(exchanged.IsError, exchanged.Error);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(DevClients.TestUserSubject, whoami!.Subject);
        Assert.Null(whoami.Actor);
        Assert.Equal([DevClients.DownstreamReadScope], whoami.Scopes);
    }

    [Fact]
    public async Task Exchange_NoAudienceNorResource_TargetsDownstreamApi()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var exchanged = await ExchangeAsync(_http, _server, _serviceId, userToken, audience: null);

        Assert.False(exchanged.IsError, exchanged.Error);
        Assert.Equal(DevClients.DownstreamAudience, Assert.Single(new JsonWebToken(exchanged.AccessToken).Audiences));
    }

    [Fact]
    public async Task Exchange_WithDpopProof_IssuesDpopBoundToken()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var exchanged = await _http.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = _serviceId,
            ClientSecret = DevClients.ServiceClientSecret,
            SubjectToken = userToken,
            SubjectTokenType = AccessTokenType,
            DPoPProofToken = DpopProof(key, _server.TokenEndpoint),
        });

        Assert.False(exchanged.IsError, exchanged.Error);
        Assert.Equal("DPoP", exchanged.TokenType);
        Assert.True(new JsonWebToken(exchanged.AccessToken).TryGetPayloadValue<JsonElement>("cnf", out var cnf) && cnf.TryGetProperty("jkt", out _));
    }

    [Fact]
    public async Task Exchange_ExchangedTokenWithNewActor_NestsThePriorActor()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);
        var firstActor = await GetClientTokenAsync(_http, _server, _serviceId, DevClients.ServiceClientSecret);
        var once = await ExchangeAsync(_http, _server, _serviceId, userToken, firstActor);
        var secondActor = await GetClientTokenAsync(_http, _server, _serviceId, DevClients.ServiceClientSecret);

        var twice = await ExchangeAsync(_http, _server, _serviceId, once.AccessToken!, secondActor);
        var (_, whoami) = await DownstreamWhoAmIAsync(_http, _server, twice.AccessToken!);

        // RFC 8693 §4.1: the current actor on top, the earlier one nested inside.
        Assert.Equal(DevClients.TestUserSubject, whoami!.Subject);
        Assert.Equal(JsonValueKind.Object, whoami.Actor!.Value.GetProperty("act").ValueKind);
        Assert.Equal(_serviceId, whoami.Actor.Value.GetProperty("act").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Exchange_SubjectTokenNearExpiry_ExchangedTokenDoesNotOutliveIt()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { TimeProvider = time });
        var userToken = await GetUserAccessTokenAsync(_http, server);
        time.Advance(server.AccessTokenLifetime - TimeSpan.FromSeconds(30));

        var exchanged = await ExchangeAsync(_http, server, _serviceId, userToken);

        Assert.False(exchanged.IsError, exchanged.Error);
        Assert.InRange(exchanged.ExpiresIn, 1, 30);
        Assert.True(new JsonWebToken(exchanged.AccessToken).ValidTo <= new JsonWebToken(userToken).ValidTo);
    }

    [Fact]
    public async Task DownstreamApi_UserTokenForDemoApi_Answers401()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var (status, _) = await DownstreamWhoAmIAsync(_http, _server, userToken);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task DemoApi_ExchangedToken_Answers401()
    {
        var exchanged = await ExchangeAsync(_http, _server, _serviceId, await GetUserAccessTokenAsync(_http, _server));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiBaseAddress, "whoami"));
        request.Headers.Authorization = new("Bearer", exchanged.AccessToken);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose() => _http.Dispose();

    private static string DpopProof(ECDsa key, Uri endpoint)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "dpop+jwt",
            AdditionalHeaderClaims = new Dictionary<string, object>
            {
                ["jwk"] = new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y) },
            },
            Claims = new Dictionary<string, object> { ["htm"] = "POST", ["htu"] = endpoint.AbsoluteUri, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = TimeProvider.System.GetUtcNow().UtcDateTime,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });
    }
}
