using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Support;

/// <summary>
/// Gets tokens from the development server over plain HTTP, the way any client would: the test user's access token through
/// authorization code + PKCE (the server signs <see cref="DevClients.TestUserSubject"/> in without a form), a client's own
/// through client credentials; and exchanges them (RFC 8693) with plain requests, not the library.
/// </summary>
internal static class DevServerTokens
{
    /// <summary>The RFC 8693 token type of access tokens, the only subject and actor type the server exchanges.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    private static readonly Uri RedirectUri = new("http://127.0.0.1:49731/callback");

    /// <summary>Signs the test user in with the public client and returns the access token (aud demo-api and front-api).</summary>
    /// <param name="http">A client that does not follow redirects.</param>
    /// <param name="server">The development server.</param>
    /// <param name="user">The user's <c>sub</c> (lowercase letters, sent as <c>login_hint</c>); the test user when omitted.</param>
    public static async Task<string> GetUserAccessTokenAsync(HttpClient http, DevAuthorizationServer server, string? user = null) =>
        (await GetUserTokensAsync(http, server, DevClients.ApiReadScope, user)).AccessToken!;

    /// <summary>Signs the test user in with the public client for <paramref name="scope"/>; with <c>offline_access</c> the answer holds a refresh token.</summary>
    /// <param name="http">A client that does not follow redirects.</param>
    /// <param name="server">The development server.</param>
    /// <param name="scope">The scopes to ask for, space-separated.</param>
    /// <param name="user">The user's <c>sub</c> (lowercase letters, sent as <c>login_hint</c>); the test user when omitted.</param>
    public static async Task<TokenResponse> GetUserTokensAsync(HttpClient http, DevAuthorizationServer server, string scope, string? user = null)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var url = new RequestUrl(server.AuthorizationEndpoint.AbsoluteUri).CreateAuthorizeUrl(
            DevClients.InteractiveClientId, "code", scope, RedirectUri.AbsoluteUri, state: "s",
            codeChallenge: Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), codeChallengeMethod: "S256", loginHint: user);
        using var authorize = await http.GetAsync(new Uri(url));
        var code = new AuthorizeResponse(authorize.Headers.Location!.AbsoluteUri).Code
            ?? throw new InvalidOperationException("The authorization endpoint returned no code.");

        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = code,
            RedirectUri = RedirectUri.AbsoluteUri,
            CodeVerifier = verifier,
        });
        return tokens.AccessToken is null ? throw new InvalidOperationException($"The code was not redeemed: {tokens.Error}.") : tokens;
    }

    /// <summary>Refreshes with <paramref name="refreshToken"/> as the public client, the way any client would.</summary>
    public static Task<TokenResponse> RefreshAsync(HttpClient http, DevAuthorizationServer server, string refreshToken) =>
        http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            RefreshToken = refreshToken,
        });

    /// <summary>Gets a client-credentials access token for <paramref name="clientId"/>, a worker or service client (or an alias).</summary>
    public static async Task<string> GetClientTokenAsync(HttpClient http, DevAuthorizationServer server, string clientId, string clientSecret)
    {
        var tokens = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri,
            ClientId = clientId,
            ClientSecret = clientSecret,
        });
        return tokens.AccessToken ?? throw new InvalidOperationException($"No client-credentials token: {tokens.Error}.");
    }

    /// <summary>Sends a token exchange request (RFC 8693) for access tokens, as the service client unless told otherwise.</summary>
    public static Task<TokenResponse> ExchangeAsync(
        HttpClient http,
        DevAuthorizationServer server,
        string clientId,
        string subjectToken,
        string? actorToken = null,
        string? audience = DevClients.DownstreamAudience,
        string? resource = null,
        string? scope = null,
        string clientSecret = DevClients.ServiceClientSecret) =>
        http.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri,
            ClientId = clientId,
            ClientSecret = clientSecret,
            SubjectToken = subjectToken,
            SubjectTokenType = AccessTokenType,
            ActorToken = actorToken,
            ActorTokenType = actorToken is null ? null : AccessTokenType,
            Audience = audience,
            Resource = resource,
            Scope = scope,
        });

    /// <summary>Calls the downstream API's <c>GET /downstream/whoami</c> with <paramref name="accessToken"/> as a Bearer token.</summary>
    /// <returns>The status, and the answer when it is 200.</returns>
    public static async Task<(HttpStatusCode Status, DownstreamWhoAmI? WhoAmI)> DownstreamWhoAmIAsync(HttpClient http, DevAuthorizationServer server, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.DownstreamApiBaseAddress, "downstream/whoami"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<DownstreamWhoAmI>() : null);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
