using System.Net;
using OAuthClient.Desktop.Tests.Support;
using OAuthClient.Tests.Support;
using RichardSzalay.MockHttp;

namespace OAuthClient.Desktop.Tests.SignIn;

/// <summary>
/// The normal start of an app without exceptions: <c>SignInSilentlyAsync() ?? SignInAsync()</c>, and the account and scopes
/// a sign-in result carries, kept with the tokens across runs.
/// </summary>
public sealed class SilentSignInTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInSilentlyAsync_NothingStored_ReturnsNullWithoutBrowserOrRequest()
    {
        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.Null(result);
        Assert.Empty(_fixture.Browser.Opened);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task SignInSilentlyAsync_ThenSignInAsync_TheUsualStartSignsInOnceAndNextRunIsSilent()
    {
        var first = await _fixture.SignIn.SignInSilentlyAsync() ?? await _fixture.SignIn.SignInAsync();

        Assert.Equal("access-token-1", first.AccessToken.Value);
        Assert.Equal("alice", first.Account?.Subject);

        // The next run of the app: a new instance over the same store, no browser.
        using var nextRun = new InteractiveSignIn(_fixture.Options, _fixture.Store, new TestBrowser(_fixture.Server), _fixture.Server.Handler, _fixture.Time);
        var browserOpenings = _fixture.Browser.Opened.Count;
        var second = await nextRun.SignInSilentlyAsync();

        Assert.NotNull(second);
        Assert.Equal("access-token-1", second.AccessToken.Value);
        Assert.Equal("alice", second.Account?.Subject);
        Assert.Equal("Alice Smith", second.Account?.DisplayName);
        Assert.Equal(browserOpenings, _fixture.Browser.Opened.Count);
        Assert.Single(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task SignInAsync_OpenIdScope_ResultCarriesTheAccountFromTheIdToken()
    {
        var result = await _fixture.SignIn.SignInAsync();

        var account = Assert.IsType<UserAccount>(result.Account);
        Assert.Equal("alice", account.Subject);
        Assert.Equal(AuthServerStub.Issuer, account.Issuer);
        Assert.Equal("Alice Smith", account.Name);
        Assert.Equal("alice", account.PreferredUsername);
        Assert.Equal("alice@example.com", account.Email);
        Assert.Equal(["openid", "offline_access", "api"], result.Scopes);
    }

    [Fact]
    public async Task SignInAsync_NoOpenIdScope_NoAccount()
    {
        _fixture.Options.Scope = "offline_access api";

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Null(result.Account);
        Assert.Equal(["offline_access", "api"], result.Scopes);
        Assert.Null((await _fixture.StoredAsync())?.Account);
    }

    [Fact]
    public async Task SignInAsync_ServerGrantsFewerScopes_ResultListsTheGrantedOnes()
    {
        _fixture.Server.GrantedScope = "openid api";

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Equal(["openid", "api"], result.Scopes);
    }

    [Fact]
    public async Task SignInSilentlyAsync_ExpiredAccessToken_RefreshesAndKeepsTheAccount()
    {
        await _fixture.SignIn.SignInAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.NotNull(result);
        Assert.Equal("access-token-2", result.AccessToken.Value);
        Assert.Equal("alice", result.Account?.Subject);
    }

    [Fact]
    public async Task SignInSilentlyAsync_RefreshWithIdToken_TakesTheNewClaims()
    {
        await _fixture.SignIn.SignInAsync();
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.IdTokenClaims["name"] = "Alice Jones";
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.Equal("Alice Jones", result?.Account?.Name);
        Assert.Equal("Alice Jones", (await _fixture.StoredAsync())?.Account?.Name);
    }

    [Fact]
    public async Task SignInSilentlyAsync_RefreshNamesAnotherUser_ReturnsNullAndClearsTheStore()
    {
        await _fixture.SignIn.SignInAsync();
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.IdTokenClaims["sub"] = "mallory";
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.Null(result);
        Assert.Null(await _fixture.StoredAsync());
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
    }

    [Fact]
    public async Task SignInSilentlyAsync_RefreshRepeatsTheExpiredIdTokenOfTheSignIn_KeepsTheAccount()
    {
        var signIn = await _fixture.SignIn.SignInAsync();
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.ForcedIdToken = _fixture.Server.IdToken(nonce: null);
        _fixture.Time.Advance(TimeSpan.FromHours(2));

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.NotNull(result);
        Assert.Equal("access-token-2", result.AccessToken.Value);
        Assert.Equal(signIn.Account?.Subject, result.Account?.Subject);
    }

    [Fact]
    public async Task SignInSilentlyAsync_RefreshTokenRejected_ReturnsNullAndClearsTheStore()
    {
        await _fixture.Store.WriteAsync(
            _fixture.StoreKey,
            new StoredTokens { RefreshToken = "unknown-to-the-server", TokenType = "Bearer" },
            CancellationToken.None);

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.Null(result);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task SignInSilentlyAsync_ServerFails_ThrowsTypedErrorAndKeepsTheRefreshToken()
    {
        await _fixture.SeedAsync();
        _fixture.Server.Handler.Clear();
        _fixture.Server.Handler.When(HttpMethod.Get, AuthServerStub.Issuer + "/.well-known/openid-configuration").Respond(
            HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInSilentlyAsync());

        Assert.Equal("refresh-token-0", (await _fixture.StoredAsync())?.RefreshToken);
        Assert.DoesNotContain("refresh-token-0", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInSilentlyAsync_Cancelled_Throws()
    {
        await _fixture.SeedAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _fixture.SignIn.SignInSilentlyAsync(cancelled.Token));
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ResultCarriesTheAccount()
    {
        var result = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync((_, _) => Task.CompletedTask));

        Assert.Equal("alice", result.Account?.Subject);
        Assert.Equal("alice", (await _fixture.StoredAsync())?.Account?.Subject);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_IdTokenForAnotherClient_FailsAndStoresNothing()
    {
        _fixture.Server.IdTokenClaims["aud"] = "another-app";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(
            () => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync((_, _) => Task.CompletedTask)));

        Assert.Equal("invalid_id_token", ex.Error);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task FileTokenStore_KeepsTheAccountAcrossInstances()
    {
        var directory = Directory.CreateTempSubdirectory("oauthclient-account-").FullName;
        try
        {
            var store = new FileTokenStore(new FileTokenStoreOptions { Directory = directory, StorePlaintext = true });
            using (var first = new InteractiveSignIn(_fixture.Options, store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time))
            {
                await first.SignInAsync();
            }

            using var second = new InteractiveSignIn(
                _fixture.Options, new FileTokenStore(new FileTokenStoreOptions { Directory = directory, StorePlaintext = true }),
                _fixture.Browser, _fixture.Server.Handler, _fixture.Time);
            var result = await second.SignInSilentlyAsync();

            Assert.Equal("alice@example.com", result?.Account?.Email);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SignInSilentlyAsync_AnotherUserSignsInMeanwhile_TheAccountIsTheOneOfTheToken()
    {
        var store = new HookedTokenStore(_fixture.Store);
        using var signIn = new InteractiveSignIn(_fixture.Options, store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time);
        await signIn.SignInAsync();
        var alicesToken = await signIn.GetAccessTokenAsync();
        store.BeforeNextRead(async () =>
        {
            _fixture.Server.IdTokenClaims["sub"] = "bob";
            _fixture.Server.IdTokenClaims["name"] = "Bob Brown";
            await signIn.SignInAsync();
        });

        var result = await signIn.SignInSilentlyAsync();

        Assert.NotNull(result);
        Assert.Equal(result.AccessToken.Value == alicesToken.Value ? "alice" : "bob", result.Account?.Subject);
    }

    [Fact]
    public async Task SignInSilentlyAsync_SignOutMeanwhile_NoTokenWithoutItsAccount()
    {
        var store = new HookedTokenStore(_fixture.Store);
        using var signIn = new InteractiveSignIn(_fixture.Options, store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time);
        await signIn.SignInAsync();
        await signIn.GetAccessTokenAsync();
        store.BeforeNextRead(() => signIn.SignOutAsync());

        var result = await signIn.SignInSilentlyAsync();

        // Either before the sign-out (alice, with her token) or after it (nobody): never a token the result cannot name.
        Assert.True(result is null || result.Account?.Subject == "alice", $"returned {result}");
    }

    [Fact]
    public async Task SignInSilentlyAsync_BackgroundRefreshNamesAnotherUser_NoTokenWithoutItsAccount()
    {
        await _fixture.SignIn.SignInAsync();
        await _fixture.SignIn.GetAccessTokenAsync();
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.IdTokenClaims["sub"] = "mallory";
        _fixture.Time.Advance(TimeSpan.FromSeconds(270)); // past the renewal time (240 s), before expiry (300 s)

        await _fixture.SignIn.SignInSilentlyAsync(); // the cached token, and its replacement starts in the background
        await WaitUntilAsync(async () => await _fixture.StoredAsync() is null);
        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.True(result is null || result.Account?.Subject == "alice", $"returned {result}");
    }

    [Fact]
    public async Task SignInSilentlyAsync_StoredByEarlierVersionAndRefreshRepeatsTheExpiredIdToken_StaysSignedIn()
    {
        await _fixture.SeedAsync(); // no Account: written before accounts were stored
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.IdTokenClaims["exp"] = (_fixture.Time.GetUtcNow() - TimeSpan.FromDays(1)).ToUnixTimeSeconds();

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.NotNull(result);
        Assert.Equal("access-token-1", result.AccessToken.Value);
        Assert.Equal("refresh-token-1", (await _fixture.StoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task SignInSilentlyAsync_RefreshIdTokenExpiryInMilliseconds_KeepsTheRotatedRefreshToken()
    {
        await _fixture.SignIn.SignInAsync();
        _fixture.Server.IdTokenOnRefresh = true;
        _fixture.Server.IdTokenClaims["exp"] = (_fixture.Time.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await _fixture.SignIn.SignInSilentlyAsync();

        Assert.Equal("alice", result?.Account?.Subject);
        Assert.Equal("refresh-token-2", (await _fixture.StoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task SignInSilentlyAsync_DiscoveryGoesStaleWhileTheRefreshIsAnswered_KeepsTheRotatedRefreshToken()
    {
        await _fixture.SignIn.SignInAsync();
        var answer = new TaskCompletionSource();
        _fixture.Server.Gate = answer.Task;
        _fixture.Time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59)); // discovery, read at sign-in, is kept an hour

        var silent = _fixture.SignIn.SignInSilentlyAsync();
        await WaitUntilAsync(() => Task.FromResult(_fixture.Server.RefreshRequestCount == 1));
        _fixture.Time.Advance(TimeSpan.FromSeconds(2));
        _fixture.Server.Handler.Clear();
        _fixture.Server.Handler.When(HttpMethod.Get, AuthServerStub.Issuer + "/.well-known/openid-configuration").Respond(
            HttpStatusCode.ServiceUnavailable);
        answer.SetResult();
        await Record.ExceptionAsync(() => silent);

        // The server rotated the refresh token: losing the new one signs the user out at the next refresh.
        Assert.Equal("refresh-token-2", (await _fixture.StoredAsync())?.RefreshToken);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done)
    {
        for (var step = 0; !await done(); step++)
        {
            Assert.True(step < 1_000, "the condition never held");
            await Task.Delay(5);
        }
    }

    [Fact]
    public void SignInResult_ToString_ShowsNoToken()
    {
        var result = new SignInResult(new AccessToken("secret-access-token", "Bearer", DateTimeOffset.UnixEpoch.AddYears(60), "api"), null, null);

        Assert.DoesNotContain("secret-access-token", result.ToString(), StringComparison.Ordinal);
        Assert.Equal(["api"], result.Scopes);
    }
}
