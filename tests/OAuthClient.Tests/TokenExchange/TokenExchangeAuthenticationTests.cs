using System.Net;
using System.Security.Cryptography;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.TokenExchange;

/// <summary>The exchange authenticates and binds as its token client does: private_key_jwt, and DPoP from the request to the API.</summary>
public sealed class TokenExchangeAuthenticationTests
{
    [Fact]
    public async Task SendAsync_TokenClientWithPrivateKeyJwt_ExchangeCarriesAFreshAssertion()
    {
        using var rsa = TestKeys.Rsa();
        using var host = new TokenExchangeHost(tokenClient: o =>
        {
            o.ClientSecret = null;
            o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertion.Jwk = TestKeys.PrivateJwk(rsa);
        });
        using var client = host.CreateClient();

        using var alice = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        using var bob = await client.SendAsync(TokenExchangeHost.For("bob-token"));

        Assert.Equal(2, host.Exchanges.Count);
        Assert.All(host.Exchanges, e =>
        {
            Assert.Null(e.Authorization);
            Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", e.Fields["client_assertion_type"]);
        });
        var assertions = host.Exchanges.Select(e => e.Fields["client_assertion"]).ToList();
        Assert.NotEqual(assertions[0], assertions[1]);
        await TestKeys.ValidateAsync(assertions[0], new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa.ExportParameters(false)), "client-authentication+jwt", "RS256");
    }

    [Fact]
    public async Task SendAsync_TokenClientWithDpop_ExchangedTokenIsBoundAndTheApiGetsAProof()
    {
        using var host = new TokenExchangeHost(tokenClient: o => o.Dpop.Enabled = true);
        host.TokenEndpoint.TokenType = "DPoP";
        using var client = host.CreateClient();

        using var response = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(Assert.Single(host.Exchanges).Dpop);
        var call = Assert.Single(host.Api.Calls);
        Assert.Equal("DPoP", call.Scheme);
        Assert.Equal("for-alice-token-1", call.Token);
        Assert.NotNull(call.Dpop);
    }
}
