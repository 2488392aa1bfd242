using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class DpopSignInTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly ECDsa _key = TestKeys.EcP256();

    public DpopSignInTests()
    {
        _fixture.Options.Dpop.Enabled = true;
        _fixture.Options.Dpop.Jwk = TestKeys.PrivateJwk(_key, kid: null);
    }

    public void Dispose()
    {
        _fixture.Dispose();
        _key.Dispose();
    }

    private SecurityKey PublicKey => new ECDsaSecurityKey(ECDsa.Create(_key.ExportParameters(includePrivateParameters: false)));

    [Fact]
    public async Task SignInAsync_Dpop_AuthorizeUrlCarriesThumbprintOfTheKey()
    {
        await _fixture.SignIn.SignInAsync();

        var expected = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey((ECDsaSecurityKey)PublicKey).ComputeJwkThumbprint());
        Assert.Equal(expected, _fixture.Browser.LastQuery["dpop_jkt"]);
    }

    [Fact]
    public async Task SignInAsync_Dpop_RedemptionCarriesValidProofAndGetsDpopToken()
    {
        var token = await _fixture.SignIn.SignInAsync();

        var proof = await ValidateProofAsync(Assert.Single(_fixture.Server.TokenRequestProofs)!);
        Assert.Equal("POST", proof.GetPayloadValue<string>("htm"));
        Assert.Equal(AuthServerStub.TokenEndpoint.AbsoluteUri, proof.GetPayloadValue<string>("htu"));
        Assert.False(proof.TryGetPayloadValue<string>("ath", out _));
        Assert.Equal("DPoP", token.AccessToken.TokenType);
        Assert.Equal("DPoP", (await _fixture.StoredAsync())?.TokenType);
    }

    [Fact]
    public async Task SignInAsync_ServerAnswersBearer_FailsAndStoresNothing()
    {
        _fixture.Server.IgnoresDpop = true;

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInAsync());

        Assert.Contains("not DPoP", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task GetAccessTokenAsync_ServerWantsNonce_RefreshRetriesOnceWithNonceInFreshProof()
    {
        await _fixture.SeedAsync();
        _fixture.Server.DpopNonce = "server-nonce-1";

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        var proofs = _fixture.Server.TokenRequestProofs.ToArray();
        Assert.Equal(2, proofs.Length);
        var first = await ValidateProofAsync(proofs[0]!);
        var second = await ValidateProofAsync(proofs[1]!);
        Assert.Equal("server-nonce-1", second.GetPayloadValue<string>("nonce"));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("DPoP", token.TokenType);
    }

    [Fact]
    public async Task SendAsync_Dpop_SendsDpopSchemeAndProofWithAthNeverBearer()
    {
        await _fixture.SignIn.SignInAsync();
        using var api = _fixture.CreateApiClient();

        using var response = await api.GetAsync(new Uri("orders/7?x=1", UriKind.Relative));

        var call = Assert.Single(_fixture.ApiStub.Calls);
        Assert.Equal("DPoP", call.Scheme);
        var proof = await ValidateProofAsync(call.Dpop!);
        Assert.Equal("GET", proof.GetPayloadValue<string>("htm"));
        Assert.Equal("https://api.example.com/orders/7", proof.GetPayloadValue<string>("htu"));
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(call.Token!))), proof.GetPayloadValue<string>("ath"));
    }

    [Fact]
    public async Task SendAsync_ApiWantsNonce_RetriesOnceWithNonce()
    {
        await _fixture.SignIn.SignInAsync();
        var calls = 0;
        _fixture.ApiStub.Respond = _ =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ParseAdd("DPoP error=\"use_dpop_nonce\"");
            response.Headers.Add("DPoP-Nonce", "api-nonce-1");
            return response;
        };
        using var api = _fixture.CreateApiClient();

        using var result = await api.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var retry = await ValidateProofAsync(_fixture.ApiStub.Calls.Last().Dpop!);
        Assert.Equal("api-nonce-1", retry.GetPayloadValue<string>("nonce"));
        Assert.All(_fixture.ApiStub.Calls, c => Assert.Equal("DPoP", c.Scheme));
    }

    [Fact]
    public async Task GetAccessTokenAsync_GeneratedKeyAndTokensOfAnotherProcess_RequiresSignInWithoutRequest()
    {
        _fixture.Options.Dpop.Jwk = null;
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(30));

        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());

        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task GetAccessTokenAsync_GeneratedKey_RefreshesWithTheKeyOfTheSignIn()
    {
        _fixture.Options.Dpop.Jwk = null;
        await _fixture.SignIn.SignInAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        await _fixture.SignIn.GetAccessTokenAsync();

        var proofs = _fixture.Server.TokenRequestProofs.ToArray();
        Assert.Equal(2, proofs.Length);
        var thumbprint = Base64UrlEncoder.Encode(TestKeys.HeaderJwk(proofs[1]!).ComputeJwkThumbprint());
        Assert.Equal(_fixture.Browser.LastQuery["dpop_jkt"], thumbprint);
        Assert.Equal(Base64UrlEncoder.Encode(TestKeys.HeaderJwk(proofs[0]!).ComputeJwkThumbprint()), thumbprint);
    }

    private Task<JsonWebToken> ValidateProofAsync(string proof) => TestKeys.ValidateAsync(proof, PublicKey, "dpop+jwt", "ES256");
}
