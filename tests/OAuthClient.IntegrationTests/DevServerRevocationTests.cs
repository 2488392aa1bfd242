using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Samples;
using static OAuthClient.IntegrationTests.Support.DevServerTokens;

namespace OAuthClient.IntegrationTests;

/// <summary>
/// The development server's revocation endpoint (RFC 7009) over plain HTTP: the client is authenticated first, only the
/// client a token was issued to revokes it, and a revoked token is refused by the token endpoint and the APIs.
/// </summary>
public sealed class DevServerRevocationTests : IAsyncLifetime, IDisposable
{
    private const string UserScope = $"openid offline_access {DevClients.ApiReadScope}";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _workerId = $"{DevClients.WorkerClientId}.{Guid.NewGuid():N}";
    private DevAuthorizationServer _server = null!;

    public async Task InitializeAsync() => _server = await DevAuthorizationServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Discovery_NamesRevocationEndpoint()
    {
        using var response = await _http.GetAsync(new Uri(_server.Issuer, ".well-known/openid-configuration"));
        using var discovery = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(_server.RevocationEndpoint.AbsoluteUri, discovery.RootElement.GetProperty("revocation_endpoint").GetString());
    }

    [Fact]
    public async Task Revoke_RefreshTokenByThePublicClient_Answers200AndTheRefreshIsInvalidGrant()
    {
        var tokens = await GetUserTokensAsync(_http, _server, UserScope);

        using var revocation = await RevokeAsync(DevClients.InteractiveClientId, null, tokens.RefreshToken!, "refresh_token");
        var refresh = await RefreshAsync(_http, _server, tokens.RefreshToken!);

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(1, _server.GetRevocationCount());
        Assert.Equal("invalid_grant", refresh.Error);
    }

    [Fact]
    public async Task Revoke_RefreshTokenRevoked_TheAccessTokenOfTheSameSignInStillWorks()
    {
        // RFC 7009 §2.1 lets a server revoke the access tokens of the same grant too; with no token store this one does not.
        var tokens = await GetUserTokensAsync(_http, _server, UserScope);

        using var revocation = await RevokeAsync(DevClients.InteractiveClientId, null, tokens.RefreshToken!, "refresh_token");

        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(tokens.AccessToken!));
    }

    [Fact]
    public async Task Revoke_SameTokenTwice_BothAnswer200AndItCountsOnce()
    {
        var tokens = await GetUserTokensAsync(_http, _server, UserScope);

        using var first = await RevokeAsync(DevClients.InteractiveClientId, null, tokens.RefreshToken!, "refresh_token");
        using var second = await RevokeAsync(DevClients.InteractiveClientId, null, tokens.RefreshToken!, "refresh_token");

        Assert.Equal(HttpStatusCode.OK, first.HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, second.HttpStatusCode);
        Assert.Equal(1, _server.GetRevocationCount());
    }

    [Fact]
    public async Task Revoke_AccessTokenByItsClient_TheApiAnswers401()
    {
        var token = await GetClientTokenAsync(_http, _server, _workerId, DevClients.WorkerClientSecret);

        using var revocation = await RevokeAsync(_workerId, DevClients.WorkerClientSecret, token, "access_token");

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(1, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatusAsync(token));
    }

    [Fact]
    public async Task Revoke_AccessTokenByTheKeyClientWithAnAssertion_TheApiAnswers401()
    {
        var keyClientId = $"{DevClients.KeyClientId}.{Guid.NewGuid():N}";
        var token = await GetKeyClientTokenAsync(keyClientId);

        using var revocation = await _http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = _server.RevocationEndpoint.AbsoluteUri,
            ClientId = keyClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(keyClientId),
            Token = token,
            TokenTypeHint = "access_token",
        });

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(1, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatusAsync(token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_RevokedAccessTokenInATokenExchange_InvalidGrant(bool asActor)
    {
        var serviceId = $"{DevClients.ServiceClientId}.{Guid.NewGuid():N}";
        var userToken = (await GetUserTokensAsync(_http, _server, UserScope)).AccessToken!;
        var serviceToken = await GetClientTokenAsync(_http, _server, serviceId, DevClients.ServiceClientSecret);
        using var revocation = asActor
            ? await RevokeAsync(serviceId, DevClients.ServiceClientSecret, serviceToken, "access_token")
            : await RevokeAsync(DevClients.InteractiveClientId, null, userToken, "access_token");

        var exchange = await ExchangeAsync(_http, _server, serviceId, userToken, actorToken: serviceToken);

        Assert.Equal(1, _server.GetRevocationCount());
        Assert.Equal("invalid_grant", exchange.Error);
    }

    [Theory]
    [InlineData(DevClients.WorkerClientId, "wrong-secret")]
    [InlineData(DevClients.WorkerClientId, null)]
    [InlineData(DevClients.InteractiveClientId, "a-secret")]
    [InlineData("unknown-client", null)]
    public async Task Revoke_ClientNotAuthenticated_401InvalidClientAndNothingRevoked(string clientId, string? secret)
    {
        var token = await GetClientTokenAsync(_http, _server, DevClients.WorkerClientId, DevClients.WorkerClientSecret);

        using var revocation = await RevokeAsync(clientId, secret, token, "access_token");

        Assert.Equal(HttpStatusCode.Unauthorized, revocation.HttpStatusCode);
        Assert.Equal("invalid_client", ErrorOf(revocation));
        Assert.Equal(0, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(token));
    }

    [Fact]
    public async Task Revoke_KeyClientAssertionSignedWithAnotherKey_401InvalidClientAndNothingRevoked()
    {
        var keyClientId = $"{DevClients.KeyClientId}.{Guid.NewGuid():N}";
        var token = await GetKeyClientTokenAsync(keyClientId);
        using var otherKey = RSA.Create(2048);

        using var revocation = await _http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = _server.RevocationEndpoint.AbsoluteUri,
            ClientId = keyClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(keyClientId, Support.Jwk.Private(otherKey)),
            Token = token,
            TokenTypeHint = "access_token",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, revocation.HttpStatusCode);
        Assert.Equal("invalid_client", ErrorOf(revocation));
        Assert.Equal(0, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(token));
    }

    [Fact]
    public async Task Revoke_WrongSecretAndUnknownToken_401InvalidClient()
    {
        // The client is judged before the token, so a caller without the secret cannot learn anything from the answer.
        using var revocation = await RevokeAsync(_workerId, "wrong-secret", "not-a-token", "access_token");

        Assert.Equal(HttpStatusCode.Unauthorized, revocation.HttpStatusCode);
        Assert.Equal("invalid_client", ErrorOf(revocation));
    }

    [Theory]
    [InlineData("not-a-token", "refresh_token")]
    [InlineData("not-a-token", null)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl", "access_token")]
    public async Task Revoke_UnknownToken_Answers200AndRevokesNothing(string token, string? hint)
    {
        using var revocation = await RevokeAsync(DevClients.InteractiveClientId, null, token, hint);

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.False(revocation.IsError, revocation.Error);
        Assert.Equal(0, _server.GetRevocationCount());
    }

    [Fact]
    public async Task Revoke_RefreshTokenOfAnotherClient_NotRevoked()
    {
        var tokens = await GetUserTokensAsync(_http, _server, UserScope);

        // The worker is authenticated, but the refresh token was issued to the public client (RFC 7009 §2.1).
        using var revocation = await RevokeAsync(_workerId, DevClients.WorkerClientSecret, tokens.RefreshToken!, "refresh_token");
        var refresh = await RefreshAsync(_http, _server, tokens.RefreshToken!);

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(0, _server.GetRevocationCount());
        Assert.False(refresh.IsError, refresh.Error);
    }

    [Fact]
    public async Task Revoke_UserAccessTokenByTheApiItIsAddressedTo_NotRevoked()
    {
        // The user's access token names front-api among its audiences, which OpenIddict alone would let revoke it;
        // it was issued to the public client, and only that client revokes it.
        var tokens = await GetUserTokensAsync(_http, _server, UserScope);
        var serviceId = DevClients.ServiceClientId;

        using var revocation = await RevokeAsync(serviceId, DevClients.ServiceClientSecret, tokens.AccessToken!, "access_token");

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(0, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(tokens.AccessToken!));
    }

    [Fact]
    public async Task Revoke_AccessTokenOfAnotherWorker_NotRevoked()
    {
        var token = await GetClientTokenAsync(_http, _server, _workerId, DevClients.WorkerClientSecret);
        var otherWorker = $"{DevClients.WorkerClientId}.{Guid.NewGuid():N}";

        using var revocation = await RevokeAsync(otherWorker, DevClients.WorkerClientSecret, token, "access_token");

        Assert.Equal(HttpStatusCode.OK, revocation.HttpStatusCode);
        Assert.Equal(0, _server.GetRevocationCount());
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatusAsync(token));
    }

    private Task<TokenRevocationResponse> RevokeAsync(string clientId, string? secret, string token, string? hint) =>
        _http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = _server.RevocationEndpoint.AbsoluteUri,
            ClientId = clientId,
            ClientSecret = secret ?? string.Empty,
            ClientCredentialStyle = secret is null ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            Token = token,
            TokenTypeHint = hint ?? string.Empty,
        });

    // A 401 is an HTTP error to Duende.IdentityModel, which then reports the reason phrase: the OAuth error is in the body.
    private static string? ErrorOf(ProtocolResponse response) =>
        response.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("error", out var error) ? error.GetString() : null;

    private async Task<HttpStatusCode> WhoAmIStatusAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiBaseAddress, "whoami"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string> GetKeyClientTokenAsync(string keyClientId)
    {
        var tokens = await _http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = keyClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(keyClientId),
            Scope = DevClients.ApiReadScope,
        });
        return tokens.AccessToken ?? throw new InvalidOperationException($"No token for the key client: {tokens.Error}.");
    }

    // private_key_jwt (RFC 7523): OpenIddict 7.8 takes its issuer as the audience.
    private ClientAssertion Assertion(string keyClientId, string? jwk = null) => new()
    {
        Type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        Value = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "client-authentication+jwt",
            Issuer = keyClientId,
            Audience = _server.Issuer.AbsoluteUri,
            Claims = new Dictionary<string, object> { ["sub"] = keyClientId, ["jti"] = Guid.NewGuid().ToString("N") },
            Expires = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(1),
            SigningCredentials = new SigningCredentials(new JsonWebKey(jwk ?? _server.KeyClientJwk), SecurityAlgorithms.RsaSha256),
        }),
    };
}
