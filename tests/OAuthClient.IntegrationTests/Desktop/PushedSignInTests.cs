using System.Net.Http.Json;
using OAuthClient.Desktop;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>
/// The library's pushed authorization request (RFC 9126) end to end against the development server over real HTTP: the
/// parameters are pushed, the "browser" carries only client_id and request_uri, and the code comes back to the loopback.
/// </summary>
public sealed class PushedSignInTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task SignInAsync_Pushed_BrowserCarriesOnlyTheRequestUriAndTheApiSeesTheUser(bool serverRequiresPar, bool optionAsks)
    {
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { RequirePushedAuthorizationRequests = serverRequiresPar });
        var browser = new RedirectFollowingBrowser();
        using var signIn = new InteractiveSignIn(
            new InteractiveSignInOptions
            {
                Authority = server.Issuer,
                ClientId = DevClients.InteractiveClientId,
                Scope = $"openid offline_access {DevClients.ApiReadScope}",
                ApiOrigins = { server.ApiBaseAddress },
                UsePushedAuthorization = optionAsks,
                SignInMode = SignInMode.Browser,
                SignInTimeout = TimeSpan.FromSeconds(30),
            },
            new InMemoryTokenStore(),
            browser);

        await signIn.SignInAsync(CancellationToken.None);

        Assert.Equal(1, server.GetPushedAuthorizationRequestCount());
        var query = System.Web.HttpUtility.ParseQueryString(Assert.Single(browser.Opened).Query);
        Assert.Equal(["client_id", "request_uri"], query.AllKeys.Order(StringComparer.Ordinal));
        using var http = new HttpClient(signIn.CreateHandler()) { BaseAddress = server.ApiBaseAddress };
        var whoAmI = await http.GetFromJsonAsync<WhoAmI>(new Uri("whoami", UriKind.Relative));
        Assert.Equal(DevClients.TestUserSubject, whoAmI!.Subject);
    }

    /// <summary>A browser without a window: asks the authorization endpoint and follows its redirect to the loopback listener.</summary>
    private sealed class RedirectFollowingBrowser : IBrowser
    {
        public List<Uri> Opened { get; } = [];

        public async Task OpenAsync(Uri url, CancellationToken cancellationToken)
        {
            Opened.Add(url);
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var authorize = await http.GetAsync(url, cancellationToken);
            var callback = authorize.Headers.Location ?? throw new InvalidOperationException($"The authorization endpoint answered {(int)authorize.StatusCode} without a redirect.");
            // The loopback listener is already waiting: it answers this request with its page while the sign-in goes on.
            using var answered = await http.GetAsync(callback, cancellationToken);
        }
    }
}
