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
        await _fixture.SignIn.GetAccessTokenAsync();
        var api = new BarrierApi(rejected: "access-token-0", callers: 50);
        using var client = new HttpClient(_fixture.SignIn.CreateHandler(api)) { BaseAddress = SignInFixture.Api };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("me"))).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(50, api.Rejections);
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

    /// <summary>An API that holds every request with the stale token until all callers sent one, then rejects them all at once.</summary>
    private sealed class BarrierApi(string rejected, int callers) : HttpMessageHandler
    {
        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;
        private int _rejections;

        public int Rejections => _rejections;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization?.Parameter != rejected)
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            if (Interlocked.Increment(ref _arrived) == callers)
            {
                _allArrived.SetResult();
            }

            await _allArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            Interlocked.Increment(ref _rejections);
            return ApiStub.Unauthorized();
        }
    }
}
