using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class ConfidentialClientTests : IDisposable
{
    private const string Secret = "s3cr:t+%value";
    private readonly SignInFixture _fixture = new();
    private readonly ECDsa _key = TestKeys.EcP256();

    public void Dispose()
    {
        _fixture.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task SignInAsync_PrivateKeyJwt_RedemptionCarriesValidAssertion()
    {
        UsePrivateKeyJwt();

        await _fixture.SignIn.SignInAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request["client_assertion_type"]);
        Assert.False(request.ContainsKey("client_secret"));
        var claims = await ValidateAssertionAsync(request["client_assertion"]);
        Assert.True(claims.Exp - claims.Iat <= 60);
        Assert.Null(Assert.Single(_fixture.Server.TokenRequestAuthorizations));
    }

    [Fact]
    public async Task SignInAsync_PrivateKeyJwtWithKeyInCode_RedemptionSignedWithThatKey()
    {
        _fixture.Options.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
        using var signIn = new InteractiveSignIn(
            _fixture.Options, _fixture.Store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time,
            keys: new ClientKeys { ClientAssertionKey = new ECDsaSecurityKey(_key) });

        await signIn.SignInAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.False(request.ContainsKey("client_secret"));
        await ValidateAssertionAsync(request["client_assertion"]);
    }

    [Fact]
    public async Task GetAccessTokenAsync_PrivateKeyJwt_RefreshCarriesFreshAssertion()
    {
        UsePrivateKeyJwt();
        await _fixture.SignIn.SignInAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        await _fixture.SignIn.GetAccessTokenAsync();

        var requests = _fixture.Server.TokenRequests.ToArray();
        Assert.Equal("refresh_token", requests[1]["grant_type"]);
        var redemption = await ValidateAssertionAsync(requests[0]["client_assertion"]);
        var refresh = await ValidateAssertionAsync(requests[1]["client_assertion"]);
        Assert.NotEqual(redemption.Jti, refresh.Jti);
    }

    [Fact]
    public async Task SignOutAsync_PrivateKeyJwt_RevocationCarriesAssertion()
    {
        UsePrivateKeyJwt();
        await _fixture.SignIn.SignInAsync();

        await _fixture.SignIn.SignOutAsync();

        var (form, _) = Assert.Single(_fixture.Server.RevocationRequests);
        await ValidateAssertionAsync(form["client_assertion"]);
    }

    [Fact]
    public async Task SignInAsync_SecretWithoutMethod_SendsItOnlyInBasicHeader()
    {
        _fixture.Options.ClientSecret = Secret;

        await _fixture.SignIn.SignInAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.False(request.ContainsKey("client_secret"));
        Assert.False(request.ContainsKey("client_assertion"));
        var basic = Assert.Single(_fixture.Server.TokenRequestAuthorizations);
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic!["Basic ".Length..]));
        Assert.Equal($"{SignInFixture.ClientId}:{Uri.EscapeDataString(Secret)}", pair);
    }

    [Fact]
    public async Task RefreshAndSignOut_ClientSecretPost_SendSecretOnlyInBody()
    {
        _fixture.Options.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost;
        _fixture.Options.ClientSecret = Secret;
        await _fixture.SeedAsync();

        await _fixture.SignIn.GetAccessTokenAsync();
        await _fixture.SignIn.SignOutAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.Equal(Secret, request["client_secret"]);
        Assert.Null(Assert.Single(_fixture.Server.TokenRequestAuthorizations));
        var (form, authorization) = Assert.Single(_fixture.Server.RevocationRequests);
        Assert.Equal(Secret, form["client_secret"]);
        Assert.Null(authorization);
    }

    [Fact]
    public async Task SignInAsync_PublicClient_SendsOnlyClientIdInBody()
    {
        await _fixture.SignIn.SignInAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.Equal(SignInFixture.ClientId, request["client_id"]);
        Assert.False(request.ContainsKey("client_secret"));
        Assert.False(request.ContainsKey("client_assertion"));
        Assert.Null(Assert.Single(_fixture.Server.TokenRequestAuthorizations));
    }

    [Fact]
    public void Constructor_KeyAlgorithmMismatch_NamesClientAndSettingWithoutKey()
    {
        UsePrivateKeyJwt();
        _fixture.Options.ClientAssertion.Algorithm = "RS256";

        var ex = Assert.Throws<OptionsValidationException>(() => _fixture.SignIn);

        var failure = Assert.Single(ex.Failures);
        Assert.Contains("interactive sign-in 'default'", failure, StringComparison.Ordinal);
        Assert.Contains("ClientAssertion.Algorithm", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Options.ClientAssertion.Jwk!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KeyWithoutPrivateKeyJwt_Fails()
    {
        _fixture.Options.ClientAssertion.Jwk = TestKeys.PrivateJwk(_key);

        var ex = Assert.Throws<OptionsValidationException>(() => _fixture.SignIn);

        Assert.Contains("ClientAuthentication is not PrivateKeyJwt", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SecretMethodWithoutSecret_Fails()
    {
        _fixture.Options.ClientAuthentication = ClientAuthenticationMethod.ClientSecretBasic;

        var ex = Assert.Throws<OptionsValidationException>(() => _fixture.SignIn);

        Assert.Contains("ClientSecret is required", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Secret_IsRedacted()
    {
        _fixture.Options.ClientSecret = Secret;

        Assert.DoesNotContain(Secret, _fixture.Options.ToString(), StringComparison.Ordinal);
    }

    private void UsePrivateKeyJwt()
    {
        _fixture.Options.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
        _fixture.Options.ClientAssertion.Jwk = TestKeys.PrivateJwk(_key);
    }

    private async Task<(string Jti, long Iat, long Exp)> ValidateAssertionAsync(string assertion)
    {
        var token = await TestKeys.ValidateAsync(
            assertion, new ECDsaSecurityKey(ECDsa.Create(_key.ExportParameters(includePrivateParameters: false))), "client-authentication+jwt", "ES256");
        Assert.Equal(SignInFixture.ClientId, token.Issuer);
        Assert.Equal(AuthServerStub.TokenEndpoint.AbsoluteUri, Assert.Single(token.Audiences));
        Assert.Equal(SignInFixture.ClientId, token.Subject);
        Assert.False(string.IsNullOrEmpty(token.Id));
        return (token.Id, token.GetPayloadValue<long>("iat"), token.GetPayloadValue<long>("exp"));
    }
}
