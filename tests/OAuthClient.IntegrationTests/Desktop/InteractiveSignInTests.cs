using System.Net;
using System.Net.Http.Json;
using OAuthClient.Desktop;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>The desktop sign-in end to end: headless Chromium, the development server's authorization endpoint, our loopback listener, the demo API.</summary>
public sealed class InteractiveSignInTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    private readonly DevAuthorizationServer _server = fixture.Server;

    private InteractiveSignInOptions Options(string scope) => new()
    {
        Authority = _server.Issuer,
        ClientId = DevClients.InteractiveClientId,
        Scope = scope,
        SignInTimeout = TimeSpan.FromSeconds(60),
        ApiOrigins = { _server.ApiBaseAddress },
        StoreKey = StoreKey(scope),
    };

    [SkippableFact]
    public async Task SignInAsync_HeadlessChromium_TokensComeBackAndWhoAmIAnswersWithTheUser()
    {
        var chromium = ChromiumBrowser.Find();
        Skip.If(chromium is null, "Chromium is not installed (apt-get install -y chromium); .ci/run installs it.");
        var browser = new ChromiumBrowser(chromium!);
        var store = new InMemoryTokenStore();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        WhoAmI? whoami;
        SignInResult result;
        await using (browser)
        {
            using var signIn = new InteractiveSignIn(Options($"openid offline_access {DevClients.ApiReadScope}"), store, browser);
            result = await signIn.SignInAsync(timeout.Token);
            using var api = new HttpClient(signIn.CreateHandler()) { BaseAddress = _server.ApiBaseAddress };
            whoami = await api.GetFromJsonAsync<WhoAmI>("whoami", timeout.Token);
        }

        Assert.Equal(DevClients.TestUserSubject, whoami?.Subject);
        Assert.Equal(DevClients.InteractiveClientId, whoami?.ClientId);

        // Who signed in, from the ID token OpenIddict issued and the client checked.
        Assert.Equal(DevClients.TestUserSubject, result.Account?.Subject);
        Assert.Equal(_server.Issuer.AbsoluteUri, result.Account?.Issuer);
        Assert.Equal("Alice", result.Account?.Name);
        Assert.Equal("alice@example.com", result.Account?.Email);
        Assert.Contains(DevClients.ApiReadScope, result.Scopes);
        Assert.Contains(DevClients.ApiReadScope, whoami!.Scopes);
        var launched = Assert.Single(browser.Launched);
        Assert.False(IsRunning(launched.ProcessId));
        Assert.False(Directory.Exists(launched.Profile));
        Assert.False(string.IsNullOrEmpty((await store.ReadAsync(StoreKey($"openid offline_access {DevClients.ApiReadScope}"), CancellationToken.None))?.RefreshToken));
    }

    [SkippableFact]
    public async Task SendAsync_AccessTokenRejectedByTheApi_RefreshedWithTheStoredRefreshTokenWithoutBrowser()
    {
        var chromium = ChromiumBrowser.Find();
        Skip.If(chromium is null, "Chromium is not installed (apt-get install -y chromium); .ci/run installs it.");
        var store = new InMemoryTokenStore();
        var scope = $"offline_access {DevClients.ApiReadScope}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var browser = new ChromiumBrowser(chromium!);
        await using (browser)
        {
            using var first = new InteractiveSignIn(Options(scope), store, browser);
            await first.SignInAsync(timeout.Token);
        }

        // A second run: same store, no browser at all.
        using var second = new InteractiveSignIn(Options(scope), store, new NoBrowser());
        using var api = new HttpClient(second.CreateHandler()) { BaseAddress = _server.ApiBaseAddress };
        _server.RevokeIssuedAccessTokens();
        using var response = await api.GetAsync("whoami", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DevClients.TestUserSubject, (await response.Content.ReadFromJsonAsync<WhoAmI>(timeout.Token))?.Subject);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string StoreKey(string scope) => "e2e " + scope;

    private sealed class NoBrowser : IBrowser
    {
        public Task OpenAsync(Uri url, CancellationToken cancellationToken) => throw new InvalidOperationException("No browser on the second run.");
    }
}
