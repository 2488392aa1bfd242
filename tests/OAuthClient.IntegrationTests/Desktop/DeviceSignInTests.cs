using System.Net.Http.Json;
using OAuthClient.Desktop;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>
/// The library's device sign-in (RFC 8628) end to end against the development server over real HTTP: the user approves on
/// the verification page (in headless Chromium, or by its form post), the tokens are stored, and the API sees the user.
/// </summary>
public sealed class DeviceSignInTests : IAsyncLifetime
{
    private DevAuthorizationServer? _server;

    private DevAuthorizationServer Server => _server!;

    public async Task InitializeAsync() =>
        _server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { DeviceCodeInterval = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task SignInWithDeviceCodeAsync_ApprovedInChromium_CallsTheApiAsTheUser()
    {
        var chromium = ChromiumBrowser.Find();
        Skip.If(chromium is null, "Chromium is not installed (apt-get install -y chromium); .ci/run installs it.");
        using var signIn = NewSignIn();
        Task? approval = null;

        await signIn.SignInWithDeviceCodeAsync((prompt, _) =>
        {
            // The user, on another device: opens the page with the code in it and approves.
            approval = DevServerDeviceFlowChromiumTests.ApproveInChromiumAsync(chromium!, prompt.VerificationUriComplete!);
            return Task.CompletedTask;
        });
        await approval!;

        await AssertApiSeesAliceAsync(signIn);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ApprovedOnThePage_TokensStoredAndRefreshable()
    {
        using var signIn = NewSignIn();
        DeviceCodePrompt? shown = null;

        var token = await signIn.SignInWithDeviceCodeAsync(async (prompt, ct) =>
        {
            shown = prompt;
            Assert.Equal(Server.VerificationEndpoint.GetLeftPart(UriPartial.Path), prompt.VerificationUri.GetLeftPart(UriPartial.Path));
            await Server.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct);
        });

        Assert.NotNull(shown);
        Assert.Equal(token.AccessToken.Value, (await signIn.GetAccessTokenAsync()).Value);
        Assert.Equal(DevClients.TestUserSubject, token.Account?.Subject);
        Assert.Equal("Alice", token.Account?.DisplayName);
        var silent = await signIn.SignInSilentlyAsync();
        Assert.Equal(DevClients.TestUserSubject, silent?.Account?.Subject);
        await AssertApiSeesAliceAsync(signIn);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_Denied_AccessDenied()
    {
        using var signIn = NewSignIn();

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => signIn.SignInWithDeviceCodeAsync(
            (prompt, ct) => Server.ApproveDeviceAsync(prompt.UserCode, approve: false, ct)));

        Assert.Equal("access_denied", ex.Error);
        await Assert.ThrowsAsync<SignInRequiredException>(() => signIn.GetAccessTokenAsync().AsTask());
    }

    private InteractiveSignIn NewSignIn() => new(
        new InteractiveSignInOptions
        {
            Authority = Server.Issuer,
            ClientId = DevClients.InteractiveClientId,
            Scope = $"openid offline_access {DevClients.ApiReadScope}",
            ApiOrigins = { Server.ApiBaseAddress },
        },
        new InMemoryTokenStore());

    private async Task AssertApiSeesAliceAsync(InteractiveSignIn signIn)
    {
        using var http = new HttpClient(signIn.CreateHandler()) { BaseAddress = Server.ApiBaseAddress };
        var whoAmI = await http.GetFromJsonAsync<WhoAmI>(new Uri("whoami", UriKind.Relative));
        Assert.Equal(DevClients.TestUserSubject, whoAmI!.Subject);
    }
}
