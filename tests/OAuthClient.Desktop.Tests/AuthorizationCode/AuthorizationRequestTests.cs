using System.Security.Cryptography;
using System.Text;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class AuthorizationRequestTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInAsync_AuthorizeUrl_CarriesS256ChallengeOfTheVerifierRedeemed()
    {
        await _fixture.SignIn.SignInAsync();

        var query = _fixture.Browser.LastQuery;
        var verifier = _fixture.Server.TokenRequests.Single()["code_verifier"];
        var expected = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(43, verifier.Length);
        Assert.Equal(expected, query["code_challenge"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(SignInFixture.ClientId, query["client_id"]);
        Assert.Equal(SignInFixture.ClientId, _fixture.Server.TokenRequests.Single()["client_id"]);
    }

    [Fact]
    public async Task SignInAsync_AuthorizeUrl_RedirectUriIsLoopbackIpWithTheListenersPort()
    {
        await _fixture.SignIn.SignInAsync();

        var redirect = new Uri(_fixture.Browser.LastQuery["redirect_uri"]);
        Assert.Equal("http", redirect.Scheme);
        Assert.Equal("127.0.0.1", redirect.Host);
        Assert.NotEqual(0, redirect.Port);
        Assert.Equal("/callback", redirect.AbsolutePath);
        Assert.Equal(redirect.AbsoluteUri, _fixture.Server.TokenRequests.Single()["redirect_uri"]);
        Assert.Equal(TestBrowser.Code, _fixture.Server.TokenRequests.Single()["code"]);
    }

    [Fact]
    public async Task SignInAsync_TwoAttempts_FreshStateNonceAndVerifierEachTime()
    {
        await _fixture.SignIn.SignInAsync();
        var first = _fixture.Browser.LastQuery;
        await _fixture.SignIn.SignInAsync();
        var second = _fixture.Browser.LastQuery;

        Assert.NotEqual(first["state"], second["state"]);
        Assert.NotEqual(first["nonce"], second["nonce"]);
        Assert.NotEqual(first["code_challenge"], second["code_challenge"]);
        Assert.True(first["state"].Length >= 43);
    }

    [Fact]
    public async Task SignInAsync_ScopeWithoutOpenId_SendsNoNonce()
    {
        _fixture.Options.Scope = "offline_access api";

        await _fixture.SignIn.SignInAsync();

        Assert.False(_fixture.Browser.LastQuery.ContainsKey("nonce"));
    }

    [Fact]
    public async Task SignInAsync_IdTokenWithAnotherNonce_ThrowsInvalidNonceAndStoresNothing()
    {
        _fixture.Server.ForcedNonce = "someone-elses-nonce";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_nonce", ex.Error);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Theory]
    [InlineData("W10")]
    [InlineData("Im5vbmNlIg")]
    public async Task SignInAsync_IdTokenPayloadNotAnObject_ThrowsInvalidIdTokenAndStoresNothing(string payload)
    {
        _fixture.Server.ForcedIdToken = $"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_id_token", ex.Error);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task SignInAsync_FormPostMode_AsksForItAndAcceptsThePost()
    {
        _fixture.Options.ResponseMode = AuthorizationResponseMode.FormPost;
        _fixture.Browser.FormPost = true;

        var token = await _fixture.SignIn.SignInAsync();

        Assert.Equal("form_post", _fixture.Browser.LastQuery["response_mode"]);
        Assert.Equal("access-token-1", token.AccessToken.Value);
    }

    [Fact]
    public async Task SignInAsync_Success_StoresRefreshAndAccessToken()
    {
        var token = await _fixture.SignIn.SignInAsync();

        var stored = await _fixture.StoredAsync();
        Assert.Equal("refresh-token-1", stored?.RefreshToken);
        Assert.Equal(token.AccessToken.Value, stored?.AccessToken);
        Assert.Contains("signed in", _fixture.Browser.LastPage, StringComparison.OrdinalIgnoreCase);
    }
}
