using System.Net;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class UserTokenHandlerTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SendAsync_SignedIn_AttachesTheUsersToken()
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.CreateApiClient();

        using var response = await client.GetAsync("me");

        Assert.Equal("access-token-1", Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_ForeignOrigin_SentWithoutToken()
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.CreateApiClient();

        using var response = await client.GetAsync("https://elsewhere.example.com/me");

        Assert.Null(Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_Fifty401sAtOnce_ExactlyOneRefreshAndAllRetriesSucceed()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(30));
        _fixture.ApiStub.Respond = call => call.Token == "access-token-0" ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);
        var gate = new TaskCompletionSource();
        _fixture.Server.Gate = gate.Task;
        using var client = _fixture.CreateApiClient();

        var calls = Enumerable.Range(0, 50).Select(_ => client.GetAsync("me")).ToList();
        await WaitUntilAsync(() => _fixture.Server.RefreshRequestCount > 0 && _fixture.ApiStub.Calls.Count >= 50);
        gate.SetResult();
        var responses = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _fixture.Server.RefreshRequestCount);
        Assert.Equal("refresh-token-1", (await _fixture.StoredAsync())?.RefreshToken);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_Second401_ReturnsItWithoutThirdAttempt()
    {
        await _fixture.SeedAsync();
        _fixture.ApiStub.Respond = _ => ApiStub.Unauthorized();
        using var client = _fixture.CreateApiClient();

        using var response = await client.GetAsync("me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _fixture.ApiStub.Calls.Count);
        Assert.Equal(2, _fixture.Server.RefreshRequestCount);
    }

    [Fact]
    public async Task SendAsync_RefreshTokenRejectedOnRetry_ThrowsSignInRequiredAndClearsStore()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(30));
        await _fixture.Store.WriteAsync(
            _fixture.StoreKey,
            new StoredTokens { RefreshToken = "revoked", AccessToken = "access-token-0", TokenType = "Bearer", AccessTokenExpiresAt = _fixture.Time.GetUtcNow().AddMinutes(30) },
            CancellationToken.None);
        _fixture.ApiStub.Respond = _ => ApiStub.Unauthorized();
        using var client = _fixture.CreateApiClient();

        await Assert.ThrowsAsync<SignInRequiredException>(() => client.GetAsync("me"));

        Assert.Single(_fixture.ApiStub.Calls);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task SendAsync_NotSignedIn_ThrowsSignInRequiredWithoutCallingTheApi()
    {
        using var client = _fixture.CreateApiClient();

        await Assert.ThrowsAsync<SignInRequiredException>(() => client.GetAsync("me"));

        Assert.Empty(_fixture.ApiStub.Calls);
    }

    [Fact]
    public async Task SendAsync_AccessTokenAboutToExpire_RefreshedBeforeTheCall()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromSeconds(30));
        using var client = _fixture.CreateApiClient();

        using var response = await client.GetAsync("me");

        Assert.Equal("access-token-1", Assert.Single(_fixture.ApiStub.Calls).Token);
        Assert.Equal(1, _fixture.Server.RefreshRequestCount);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
