using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class RefreshTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task GetAccessTokenAsync_NothingStored_ThrowsSignInRequiredWithoutBrowser()
    {
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());

        Assert.Empty(_fixture.Browser.Opened);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task GetAccessTokenAsync_StoredTokenStillFresh_UsesItWithoutRequest()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(30));

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal("access-token-0", token.Value);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task GetAccessTokenAsync_RightAfterSignInWithSixtySecondTokens_UsesTheNewTokenWithoutRefresh()
    {
        // A 60 s token is due for renewal after 45 s (the 60 s margin clamped to a quarter of its lifetime), not at once.
        _fixture.Server.ExpiresIn = 60;
        var signedIn = await _fixture.SignIn.SignInAsync();

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal(signedIn.AccessToken.Value, token.Value);
        Assert.Equal(0, _fixture.Server.RefreshRequestCount);
    }

    [Fact]
    public async Task GetAccessTokenAsync_NextRunWithSixtySecondTokens_UsesTheStoredTokenUntilItsRenewalTime()
    {
        _fixture.Server.ExpiresIn = 60;
        var signedIn = await _fixture.SignIn.SignInAsync();
        using var nextRun = new InteractiveSignIn(_fixture.Options, _fixture.Store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time);

        _fixture.Time.Advance(TimeSpan.FromSeconds(40));
        var stillFresh = await nextRun.GetAccessTokenAsync();
        var refreshesBeforeRenewalTime = _fixture.Server.RefreshRequestCount;
        _fixture.Time.Advance(TimeSpan.FromSeconds(25));
        var renewed = await nextRun.GetAccessTokenAsync();

        Assert.Equal(signedIn.AccessToken.Value, stillFresh.Value);
        Assert.Equal(0, refreshesBeforeRenewalTime);
        Assert.NotEqual(signedIn.AccessToken.Value, renewed.Value);
        Assert.Equal(1, _fixture.Server.RefreshRequestCount);
    }

    [Fact]
    public async Task GetAccessTokenAsync_AccessTokenExpired_RefreshesAndStoresTheRotatedRefreshTokenFirst()
    {
        await _fixture.SeedAsync();

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        var request = Assert.Single(_fixture.Server.TokenRequests);
        Assert.Equal("refresh_token", request["grant_type"]);
        Assert.Equal("refresh-token-0", request["refresh_token"]);
        Assert.Equal(SignInFixture.ClientId, request["client_id"]);
        var stored = await _fixture.StoredAsync();
        Assert.Equal("refresh-token-1", stored?.RefreshToken);
        Assert.Equal(token.Value, stored?.AccessToken);
    }

    [Fact]
    public async Task GetAccessTokenAsync_RefreshHangs_FailsWithTypedErrorAfterTokenRequestTimeout()
    {
        await _fixture.SeedAsync();
        _fixture.Server.Gate = new TaskCompletionSource().Task;
        var refreshing = _fixture.SignIn.GetAccessTokenAsync().AsTask();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (_fixture.Server.TokenRequests.Count == 0)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        _fixture.Time.Advance(_fixture.Options.TokenRequestTimeout);

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => refreshing.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("TokenRequestTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal("refresh-token-0", (await _fixture.StoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task GetAccessTokenAsync_ServerReturnsNoRefreshToken_KeepsTheOldOne()
    {
        _fixture.Server.RotateRefreshTokens = false;
        await _fixture.SeedAsync();

        await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal("refresh-token-0", (await _fixture.StoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task GetAccessTokenAsync_InvalidGrant_ThrowsSignInRequiredAndClearsTheStore()
    {
        await _fixture.SeedAsync();
        _fixture.Server.RotateRefreshTokens = true;
        await _fixture.Store.WriteAsync(_fixture.StoreKey, new StoredTokens { RefreshToken = "revoked-refresh-token" }, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());

        Assert.Equal("invalid_grant", Assert.IsType<TokenRequestException>(ex.InnerException).Error);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task GetAccessTokenAsync_AnotherProcessRefreshedMeanwhile_RereadsTheStoreAndUsesItsTokens()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(10));
        await _fixture.SignIn.GetAccessTokenAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await _fixture.SeedAsync(refreshToken: "refresh-token-from-other-process", accessToken: "access-token-from-other-process", validFor: TimeSpan.FromMinutes(10));

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal("access-token-from-other-process", token.Value);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task GetAccessTokenAsync_AnotherProcessRotatedTheRefreshToken_RefreshesWithTheStoredOne()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(10));
        await _fixture.SignIn.GetAccessTokenAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await _fixture.SeedAsync(refreshToken: "refresh-token-from-other-process");

        await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal("refresh-token-from-other-process", Assert.Single(_fixture.Server.TokenRequests)["refresh_token"]);
    }

    [Fact]
    public async Task SignOutAsync_RevokesTheRefreshTokenAndClearsTheStore()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(10));
        await _fixture.SignIn.GetAccessTokenAsync();

        await _fixture.SignIn.SignOutAsync();

        Assert.Equal(["refresh-token-0"], _fixture.Server.Revoked);
        Assert.Null(await _fixture.StoredAsync());
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
    }

    [Fact]
    public async Task SignOutAsync_RevocationHangs_ClearsTheStoreAndReturnsAfterTokenRequestTimeout()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(10));
        _fixture.Server.RevocationGate = new TaskCompletionSource().Task;
        var signingOut = _fixture.SignIn.SignOutAsync();
        for (var i = 0; i < 1000 && _fixture.Server.Revoked.IsEmpty; i++)
        {
            await Task.Delay(10);
        }

        _fixture.Time.Advance(_fixture.Options.TokenRequestTimeout);

        await signingOut.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task SignInAsync_ThenGetAccessTokenAsync_ServesTheNewTokenWithoutRequest()
    {
        var signedIn = await _fixture.SignIn.SignInAsync();

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal(signedIn.AccessToken.Value, token.Value);
        Assert.Single(_fixture.Server.TokenRequests);
    }
}
