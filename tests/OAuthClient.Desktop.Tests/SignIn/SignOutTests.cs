using OAuthClient.Desktop.Tests.Support;
using RichardSzalay.MockHttp;

namespace OAuthClient.Desktop.Tests.SignIn;

/// <summary>Sign-out against a refresh under way and a server that does not answer.</summary>
public sealed class SignOutTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignOutAsync_WhileARefreshIsInFlight_RefreshWritesNothingBack()
    {
        await _fixture.SeedAsync();
        var release = new TaskCompletionSource();
        _fixture.Server.Gate = release.Task;
        var refreshing = _fixture.SignIn.GetAccessTokenAsync().AsTask();
        await WaitUntilAsync(() => _fixture.Server.RefreshRequestCount == 1);

        var signingOut = _fixture.SignIn.SignOutAsync();
        var finishedFirst = signingOut.IsCompleted;
        release.SetResult();
        await signingOut.WaitAsync(TimeSpan.FromSeconds(10));
        var refreshError = await Record.ExceptionAsync(() => refreshing);

        Assert.False(finishedFirst);
        Assert.IsType<SignInRequiredException>(refreshError);
        Assert.Null(await _fixture.StoredAsync());
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
    }

    [Fact]
    public async Task SignInAsync_WhileARefreshOfTheOldSessionIsInFlight_NewSessionsTokensStay()
    {
        await _fixture.SeedAsync();
        var release = new TaskCompletionSource();
        _fixture.Server.Gate = release.Task;
        var refreshing = _fixture.SignIn.GetAccessTokenAsync().AsTask();
        await WaitUntilAsync(() => _fixture.Server.RefreshRequestCount == 1);

        var signingIn = _fixture.SignIn.SignInAsync();
        await WaitUntilAsync(() => _fixture.Server.TokenRequests.Count == 2);
        release.SetResult();
        var signedIn = await signingIn.WaitAsync(TimeSpan.FromSeconds(10));
        await Record.ExceptionAsync(() => refreshing);

        var stored = await _fixture.StoredAsync();
        Assert.Equal(signedIn.AccessToken.Value, stored?.AccessToken);
        Assert.Equal(signedIn.AccessToken.Value, (await _fixture.SignIn.GetAccessTokenAsync()).Value);
    }

    [Fact]
    public async Task SignOutAsync_DiscoveryNeverAnswers_ClearsTheStoreAndReturnsAtTokenRequestTimeout()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fixture.Server.Handler.When(HttpMethod.Get, "https://slow.example.com/.well-known/openid-configuration").Respond(_ =>
        {
            asked.TrySetResult();
            return new TaskCompletionSource<HttpResponseMessage>().Task;
        });
        _fixture.Options.Authority = new Uri("https://slow.example.com/");
        _fixture.Options.StoreKey = "user";
        await _fixture.Store.WriteAsync("user", new StoredTokens { RefreshToken = "refresh-token-0" }, CancellationToken.None);
        var signingOut = _fixture.SignIn.SignOutAsync();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _fixture.Time.Advance(_fixture.Options.TokenRequestTimeout);
        await signingOut.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(await _fixture.Store.ReadAsync("user", CancellationToken.None));
        Assert.Contains(_fixture.Logs.Lines, l => l.EventId.Id == 116);
    }

    [Fact]
    public async Task SignOutAsync_RefreshStartsWhileTheStoreIsBeingCleared_NothingOfTheOldSessionIsServedAfterwards()
    {
        // A store without a cross-process lock: only the sign-in's own turn keeps a refresh out of the change.
        await _fixture.SeedAsync();
        var store = new SlowRemoveStore(_fixture.Store);
        using var signIn = new InteractiveSignIn(_fixture.Options, store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time);
        var signingOut = signIn.SignOutAsync();
        await store.Removing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var refreshing = signIn.GetAccessTokenAsync().AsTask();
        store.Release.SetResult();
        await signingOut.WaitAsync(TimeSpan.FromSeconds(10));
        await Record.ExceptionAsync(() => refreshing);

        Assert.Null(await store.ReadAsync(_fixture.StoreKey, CancellationToken.None));
        await Assert.ThrowsAsync<SignInRequiredException>(() => signIn.GetAccessTokenAsync().AsTask());
    }

    /// <summary>An in-memory store whose removal waits until the test lets it go.</summary>
    private sealed class SlowRemoveStore(InMemoryTokenStore inner) : ITokenStore
    {
        public TaskCompletionSource Removing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<StoredTokens?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task WriteAsync(string key, StoredTokens tokens, CancellationToken cancellationToken) => inner.WriteAsync(key, tokens, cancellationToken);

        public async Task RemoveAsync(string key, CancellationToken cancellationToken)
        {
            Removing.TrySetResult();
            await Release.Task;
            await inner.RemoveAsync(key, cancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
