using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace OAuthClient.Samples.OnBehalfOfSample;

/// <summary>
/// The user's app: signs the user in at the development server with authorization code + PKCE over plain HTTP. That server
/// signs the user in without a form, so the redirect that carries the code is read here and no browser is needed. A real
/// app uses <c>OAuthClient.Desktop</c> (samples/InteractiveLogin) or its platform's sign-in.
/// </summary>
internal static class UserSignIn
{
    // The server redirects here with the code; nothing listens, since the redirect is read, not followed.
    private static readonly Uri RedirectUri = new("http://127.0.0.1:49731/callback");

    /// <summary>Signs the user in and returns their access token (its audience includes the front API).</summary>
    /// <param name="server">The development server.</param>
    /// <param name="user">The user's <c>sub</c>, sent as <c>login_hint</c>; the server's test user when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the sign-in.</param>
    /// <exception cref="InvalidOperationException">The server gave no code or no token.</exception>
    public static async Task<string> GetAccessTokenAsync(DevAuthorizationServer server, string? user, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var authorize = QueryHelpers.AddQueryString(server.AuthorizationEndpoint.AbsoluteUri, new Dictionary<string, string?>
        {
            ["client_id"] = DevClients.InteractiveClientId,
            ["response_type"] = "code",
            ["scope"] = DevClients.ApiReadScope,
            ["redirect_uri"] = RedirectUri.AbsoluteUri,
            ["state"] = state,
            ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["login_hint"] = user,
        });

        using var redirect = await http.GetAsync(new Uri(authorize), cancellationToken);
        var callback = redirect.Headers.Location is { IsAbsoluteUri: true } location
            ? QueryHelpers.ParseQuery(location.Query)
            : throw new InvalidOperationException($"The authorization endpoint answered {(int)redirect.StatusCode} without redirecting to the app.");
        if (callback["state"] != state || callback["code"].ToString() is not { Length: > 0 } code)
        {
            throw new InvalidOperationException($"The authorization endpoint gave no code: {callback["error"]} {callback["error_description"]}".TrimEnd());
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = DevClients.InteractiveClientId,
            ["code"] = code,
            ["redirect_uri"] = RedirectUri.AbsoluteUri,
            ["code_verifier"] = verifier,
        });
        using var response = await http.PostAsync(server.TokenEndpoint, form, cancellationToken);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return tokens.TryGetProperty("access_token", out var token) && token.GetString() is { Length: > 0 } accessToken
            ? accessToken
            : throw new InvalidOperationException($"The token endpoint did not redeem the code: {(tokens.TryGetProperty("error", out var error) ? error : "no error given")}.");
    }
}
