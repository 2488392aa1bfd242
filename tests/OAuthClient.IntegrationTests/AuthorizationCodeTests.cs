using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>The development server's public client: authorization code + PKCE (S256) and refresh tokens, for the desktop flow.</summary>
public sealed class AuthorizationCodeTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IDisposable
{
    private const string Scope = DevClients.ApiReadScope + " offline_access";
    private static readonly Uri RedirectUri = new("http://127.0.0.1:49731/callback");

    private readonly DevAuthorizationServer _server = fixture.Server;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task Authorize_PkceRequest_RedirectsToLoopbackWithCodeAndState()
    {
        var (challenge, _) = Pkce();

        using var response = await _http.GetAsync(AuthorizeUrl(challenge, "s1"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(RedirectUri.GetLeftPart(UriPartial.Path), location.GetLeftPart(UriPartial.Path));
        var query = new AuthorizeResponse(location.AbsoluteUri);
        Assert.False(string.IsNullOrEmpty(query.Code));
        Assert.Equal("s1", query.State);
    }

    [Fact]
    public async Task RequestAuthorizationCodeToken_RightVerifier_IssuesTokensTheApiAccepts()
    {
        var code = await GetCodeAsync(out var verifier);

        var tokens = await RedeemAsync(code, verifier);
        var whoami = await WhoAmIAsync(tokens.AccessToken!);

        Assert.False(tokens.IsError, tokens.Error);
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));
        Assert.Equal(DevClients.InteractiveClientId, whoami.ClientId);
        Assert.Equal(DevClients.TestUserSubject, whoami.Subject);
        Assert.Contains(DevClients.ApiReadScope, whoami.Scopes);
    }

    [Fact]
    public async Task RequestAuthorizationCodeToken_WrongVerifier_IsInvalidGrant()
    {
        var code = await GetCodeAsync(out _);

        var tokens = await RedeemAsync(code, Pkce().Verifier);

        Assert.True(tokens.IsError);
        Assert.Equal("invalid_grant", tokens.Error);
    }

    [Fact]
    public async Task RequestRefreshToken_AfterCodeRedemption_IssuesNewAccessToken()
    {
        var code = await GetCodeAsync(out var verifier);
        var first = await RedeemAsync(code, verifier);

        var refreshed = await _http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            RefreshToken = first.RefreshToken!,
        });

        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        Assert.Equal(DevClients.TestUserSubject, (await WhoAmIAsync(refreshed.AccessToken!)).Subject);
    }

    [Theory]
    [InlineData("plain", "http://127.0.0.1:49731/callback", "code_challenge_method")]
    [InlineData("S256", "http://app.example:49731/callback", "redirect_uri")]
    public async Task Authorize_PlainChallengeOrForeignRedirect_IsRefusedWithoutRedirect(string method, string redirectUri, string problem)
    {
        var url = new RequestUrl(_server.AuthorizationEndpoint.AbsoluteUri).CreateAuthorizeUrl(
            DevClients.InteractiveClientId, "code", Scope, redirectUri, state: "s2",
            codeChallenge: Pkce().Challenge, codeChallengeMethod: method);

        using var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("error:invalid_request", body, StringComparison.Ordinal);
        Assert.Contains(problem, body, StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    private static (string Challenge, string Verifier) Pkce()
    {
        var verifier = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), verifier);
    }

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private string AuthorizeUrl(string challenge, string state) =>
        new RequestUrl(_server.AuthorizationEndpoint.AbsoluteUri).CreateAuthorizeUrl(
            DevClients.InteractiveClientId, "code", Scope, RedirectUri.AbsoluteUri, state: state,
            codeChallenge: challenge, codeChallengeMethod: "S256");

    private Task<string> GetCodeAsync(out string verifier)
    {
        (var challenge, verifier) = Pkce();
        return GetCodeAsync(challenge);
    }

    private async Task<string> GetCodeAsync(string challenge)
    {
        using var response = await _http.GetAsync(AuthorizeUrl(challenge, "s"));
        return new AuthorizeResponse(response.Headers.Location!.AbsoluteUri).Code ?? throw new InvalidOperationException("The authorization endpoint returned no code.");
    }

    private Task<TokenResponse> RedeemAsync(string code, string verifier) =>
        _http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = code,
            RedirectUri = RedirectUri.AbsoluteUri,
            CodeVerifier = verifier,
        });

    private async Task<WhoAmI> WhoAmIAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiBaseAddress, "whoami"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WhoAmI>())!;
    }
}
