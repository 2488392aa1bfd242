using System.Net;
using System.Net.Http.Headers;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>
/// DPoP end to end. OpenIddict 7.8 has no DPoP: the development server adds it (DevDpop) at the token endpoint and the
/// demo API, nonces included, so these tests run against an independent proof validator on real HTTP.
/// </summary>
public sealed class DpopTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    private readonly DevAuthorizationServer _server = fixture.Server;

    [Fact]
    public async Task WhoAmI_Dpop_BoundTokenAcceptedByApi()
    {
        using var host = new ClientHost(_server, o => o.Dpop.Enabled = true);

        var first = await host.WhoAmIAsync();
        var second = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, first.ClientId);
        Assert.Equal(host.ClientId, second.ClientId);
        Assert.Equal("DPoP", (await host.Tokens.GetTokenAsync(ClientHost.ClientName)).TokenType);
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task Api_BoundTokenSentAsBearer_Refused()
    {
        using var host = new ClientHost(_server, o => o.Dpop.Enabled = true);
        var token = await host.Tokens.GetTokenAsync(ClientHost.ClientName);
        using var plain = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiBaseAddress, "whoami"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);

        using var response = await plain.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WhoAmI_ServerRequiresNonces_PrivateKeyJwtAndDpopRoundTrips()
    {
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { RequireDpopNonce = true });
        using var host = new ClientHost(
            server,
            o =>
            {
                o.ClientSecret = null;
                o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
                o.ClientAssertion.Jwk = server.KeyClientJwk;
                o.ClientAssertion.Audience = ClientAssertionAudience.Issuer;
                o.Dpop.Enabled = true;
            },
            clientIdPrefix: DevClients.KeyClientId);

        var first = await host.WhoAmIAsync();
        var second = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, first.ClientId);
        Assert.Equal(host.ClientId, second.ClientId);
        // One nonce refusal at the token endpoint and one at the API; later proofs carry the remembered nonces.
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
        Assert.Equal(2, server.DpopNonceRequiredCount);
    }
}
