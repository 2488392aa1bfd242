using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;
using static OAuthClient.IntegrationTests.Support.DevServerTokens;

namespace OAuthClient.IntegrationTests;

/// <summary>Token exchange requests the development server refuses, each with its RFC 6749 / RFC 8693 error code.</summary>
public sealed class DevServerTokenExchangeRefusalTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IDisposable
{
    private readonly DevAuthorizationServer _server = fixture.Server;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _serviceId = $"{DevClients.ServiceClientId}.{Guid.NewGuid():N}";

    [Theory]
    [InlineData("unknown-api", null)]
    [InlineData(DevClients.ApiAudience, null)]
    [InlineData(null, "https://unknown.example/api")]
    public async Task Exchange_UnregisteredTarget_IsInvalidTarget(string? audience, string? resource)
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var response = await ExchangeAsync(_http, _server, _serviceId, userToken, audience: audience, resource: resource);

        Assert.Equal("invalid_target", response.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Exchange_WorkerClient_IsUnauthorizedClientWhateverTheSubject(bool validSubject)
    {
        var workerId = $"{DevClients.WorkerClientId}.{Guid.NewGuid():N}";
        var subject = validSubject ? await GetUserAccessTokenAsync(_http, _server) : "not-a-token";

        var response = await ExchangeAsync(_http, _server, workerId, subject, clientSecret: DevClients.WorkerClientSecret);

        // The client is judged before the tokens, so a client that may not exchange learns nothing about them.
        Assert.Equal("unauthorized_client", response.Error);
        Assert.Equal(1, _server.GetTokenExchangeRequestCount(workerId));
    }

    [Fact]
    public async Task Exchange_ServiceClientWrongSecret_IsInvalidClient()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var response = await ExchangeAsync(_http, _server, _serviceId, userToken, clientSecret: DevClients.WorkerClientSecret);

        // RFC 6749 §5.2: a failed client authentication may answer 401, whose body Duende keeps in Raw.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal("invalid_client", System.Text.Json.JsonDocument.Parse(response.Raw!).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("forged")]
    [InlineData("unsigned")]
    public async Task Exchange_InvalidSubjectToken_IsInvalidGrant(string kind)
    {
        var subject = kind switch
        {
            "forged" => Forge(_server, new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256)),
            "unsigned" => Forge(_server, signingCredentials: null),
            _ => "not-a-token",
        };

        var response = await ExchangeAsync(_http, _server, _serviceId, subject);

        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task Exchange_ExpiredSubjectToken_IsInvalidGrant()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { TimeProvider = time });
        var userToken = await GetUserAccessTokenAsync(_http, server);
        time.Advance(server.AccessTokenLifetime + TimeSpan.FromSeconds(1));

        var response = await ExchangeAsync(_http, server, _serviceId, userToken);

        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task Exchange_SubjectTokenIssuedToAnotherClient_IsInvalidGrant()
    {
        var workerToken = await GetClientTokenAsync(_http, _server, $"{DevClients.WorkerClientId}.{Guid.NewGuid():N}", DevClients.WorkerClientSecret);

        var response = await ExchangeAsync(_http, _server, _serviceId, workerToken);

        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task Exchange_ActorTokenOfAnotherServiceAlias_IsInvalidGrant()
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);
        var otherActor = await GetClientTokenAsync(_http, _server, $"{DevClients.ServiceClientId}.{Guid.NewGuid():N}", DevClients.ServiceClientSecret);

        var response = await ExchangeAsync(_http, _server, _serviceId, userToken, otherActor);

        Assert.Equal("invalid_grant", response.Error);
    }

    [Theory]
    [InlineData(DevClients.ApiReadScope)]
    [InlineData(DevClients.DownstreamReadScope + " " + DevClients.ApiWriteScope)]
    public async Task Exchange_ScopeOfAnotherApi_IsInvalidScope(string scope)
    {
        var userToken = await GetUserAccessTokenAsync(_http, _server);

        var response = await ExchangeAsync(_http, _server, _serviceId, userToken, scope: scope);

        Assert.Equal("invalid_scope", response.Error);
    }

    [Theory]
    [InlineData("subject_token_type=" + AccessTokenType)]
    [InlineData("subject_token=x&subject_token_type=urn:ietf:params:oauth:token-type:id_token")]
    [InlineData("subject_token=x&subject_token_type=" + AccessTokenType + "&actor_token=y")]
    public async Task Exchange_MalformedRequest_IsInvalidRequest(string parameters)
    {
        using var body = new StringContent(
            $"grant_type=urn:ietf:params:oauth:grant-type:token-exchange&client_id={_serviceId}&client_secret={Uri.EscapeDataString(DevClients.ServiceClientSecret)}&{parameters}",
            System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await _http.PostAsync(_server.TokenEndpoint, body);
        var error = await ProtocolResponse.FromHttpResponseAsync<TokenResponse>(response);

        Assert.Equal("invalid_request", error.Error);
    }

    public void Dispose() => _http.Dispose();

    // A token that claims everything a real one does (issuer, type, audience, subject, lifetime) but is not signed by the server.
    private static string Forge(DevAuthorizationServer server, SigningCredentials? signingCredentials) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = server.Issuer.AbsoluteUri,
            Audience = DevClients.ServiceClientId,
            Claims = new Dictionary<string, object> { ["sub"] = DevClients.TestUserSubject, ["client_id"] = DevClients.InteractiveClientId },
            Expires = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(5),
            SigningCredentials = signingCredentials,
        });
}
