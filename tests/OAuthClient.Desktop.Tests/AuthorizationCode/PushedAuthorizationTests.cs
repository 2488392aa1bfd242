using System.Net;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

/// <summary>Pushed authorization requests (RFC 9126): the parameters go to the server first, the browser carries a reference.</summary>
public sealed class PushedAuthorizationTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInAsync_UsePushedAuthorization_BrowserGetsOnlyClientIdAndRequestUri()
    {
        _fixture.Options.UsePushedAuthorization = true;

        var token = await _fixture.SignIn.SignInAsync();

        Assert.Equal("access-token-1", token.AccessToken.Value);
        var (pushed, _) = Assert.Single(_fixture.Server.PushedRequests);
        Assert.Equal(SignInFixture.ClientId, pushed["client_id"]);
        Assert.Equal("code", pushed["response_type"]);
        Assert.Equal("S256", pushed["code_challenge_method"]);
        Assert.StartsWith("http://127.0.0.1:", pushed["redirect_uri"], StringComparison.Ordinal);
        Assert.True(pushed.ContainsKey("state") && pushed.ContainsKey("nonce") && pushed.ContainsKey("code_challenge"));
        var opened = _fixture.Browser.LastQuery;
        Assert.Equal(["client_id", "request_uri"], opened.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("urn:ietf:params:oauth:request_uri:1", opened["request_uri"]);
        // The code is redeemed with the verifier whose challenge was pushed.
        Assert.Equal(pushed["redirect_uri"], Assert.Single(_fixture.Server.TokenRequests)["redirect_uri"]);
    }

    [Fact]
    public async Task SignInAsync_ServerRequiresPar_PushedWithoutBeingAsked()
    {
        _fixture.Server.RequiresPar = true;

        await _fixture.SignIn.SignInAsync();

        Assert.Single(_fixture.Server.PushedRequests);
        Assert.True(_fixture.Browser.LastQuery.ContainsKey("request_uri"));
    }

    [Fact]
    public async Task SignInAsync_NoParAsked_ParametersInTheUrlAsBefore()
    {
        await _fixture.SignIn.SignInAsync();

        Assert.Empty(_fixture.Server.PushedRequests);
        Assert.False(_fixture.Browser.LastQuery.ContainsKey("request_uri"));
        Assert.Equal("S256", _fixture.Browser.LastQuery["code_challenge_method"]);
    }

    [Fact]
    public async Task SignInAsync_PushRefused_TypedErrorAndNoBrowser()
    {
        _fixture.Options.UsePushedAuthorization = true;
        _fixture.Server.ParAnswer = AuthServerStub.Json(HttpStatusCode.BadRequest, """{"error":"invalid_request","error_description":"bad redirect_uri"}""");

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_request", ex.Error);
        Assert.Equal("bad redirect_uri", ex.ErrorDescription);
        Assert.Empty(_fixture.Browser.Opened);
    }

    [Fact]
    public async Task SignInAsync_ParAskedButServerHasNone_SaysSoAndNoBrowser()
    {
        _fixture.Options.UsePushedAuthorization = true;
        _fixture.Server.AdvertisesParEndpoint = false;

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInAsync());

        Assert.Contains("pushed_authorization_request_endpoint", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_fixture.Browser.Opened);
    }

    [Fact]
    public async Task SignInAsync_ConfidentialClientPushes_AuthenticatesThePush()
    {
        _fixture.Options.UsePushedAuthorization = true;
        _fixture.Options.ClientSecret = "s3cr:t+%value";

        await _fixture.SignIn.SignInAsync();

        var (pushed, authorization) = Assert.Single(_fixture.Server.PushedRequests);
        Assert.StartsWith("Basic ", authorization, StringComparison.Ordinal);
        Assert.False(pushed.ContainsKey("client_secret"));
    }
}
