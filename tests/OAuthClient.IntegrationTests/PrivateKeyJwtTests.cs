using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>
/// private_key_jwt against OpenIddict 7.8, which checks the client assertion itself (signature, iss/sub, aud, lifetime).
/// OpenIddict 7.8 takes only its issuer as the assertion's audience (RFC 7523bis), so these clients set Audience = Issuer.
/// </summary>
public sealed class PrivateKeyJwtTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    private readonly DevAuthorizationServer _server = fixture.Server;

    [Fact]
    public async Task WhoAmI_PrivateKeyJwt_ServerAcceptsAssertion()
    {
        using var host = KeyClient(_server.KeyClientJwk);

        var me = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, me.ClientId);
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task GetTokenAsync_SecondToken_NewAssertionAccepted()
    {
        using var host = KeyClient(_server.KeyClientJwk);
        var first = await host.Tokens.GetTokenAsync(ClientHost.ClientName);
        host.Tokens.InvalidateToken(ClientHost.ClientName, first);

        var second = await host.Tokens.GetTokenAsync(ClientHost.ClientName);

        Assert.NotEqual(first.Value, second.Value);
        Assert.Equal(2, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task GetTokenAsync_AssertionSignedWithOtherKey_InvalidClient()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        using var host = KeyClient(Support.Jwk.Private(otherKey));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => host.Tokens.GetTokenAsync(ClientHost.ClientName).AsTask());

        Assert.Equal("invalid_client", error.Error);
    }

    private ClientHost KeyClient(string jwk) => new(
        _server,
        o =>
        {
            o.ClientSecret = null;
            o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertion.Jwk = jwk;
            o.ClientAssertion.Audience = ClientAssertionAudience.Issuer;
        },
        clientIdPrefix: DevClients.KeyClientId);
}
