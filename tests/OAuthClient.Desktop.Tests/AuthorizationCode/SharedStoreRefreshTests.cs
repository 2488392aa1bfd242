using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

/// <summary>
/// Two instances of an app, as two processes would run them: separate <see cref="InteractiveSignIn"/> objects with
/// their own caches and their own <see cref="FileTokenStore"/> objects on one token folder, one authorization server.
/// </summary>
public sealed class SharedStoreRefreshTests : IDisposable
{
    private const int LockBusyEvent = 351;
    private static readonly string StoreKey = SignInSession.DefaultStoreKey(NewOptions());

    private readonly string _root = Path.Combine(Path.GetTempPath(), "oauthclient-tests-" + Guid.NewGuid().ToString("N"));
    private readonly AuthServerStub _server = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly List<IDisposable> _apps = [];

    public SharedStoreRefreshTests()
    {
        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
    }

    public void Dispose()
    {
        _apps.ForEach(app => app.Dispose());
        _loggers.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private FileTokenStore Store(TimeSpan? lockTimeout = null) => new(
        new FileTokenStoreOptions { Directory = Path.Combine(_root, "tokens"), LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10) },
        _loggers);

    private InteractiveSignIn App(FileTokenStore store)
    {
        var app = new InteractiveSignIn(NewOptions(), store, new TestBrowser(_server), _server.Handler, _time, _loggers);
        _apps.Add(app);
        return app;
    }

    private static InteractiveSignInOptions NewOptions() =>
        new() { Authority = AuthServerStub.Authority, ClientId = SignInFixture.ClientId, Scope = "openid offline_access api" };

    /// <summary>Stores, as an earlier run would have, an expired access token and a refresh token the server accepts once.</summary>
    private async Task SeedAsync(string refreshToken = "refresh-token-0")
    {
        _server.AcceptRefreshToken(refreshToken);
        await Store().WriteAsync(
            StoreKey,
            new StoredTokens { RefreshToken = refreshToken, AccessToken = "access-token-0", TokenType = "Bearer", AccessTokenExpiresAt = _time.GetUtcNow().AddMinutes(-1) },
            CancellationToken.None);
    }

    [Fact]
    public async Task GetAccessTokenAsync_TwoProcessesRefreshAtOnce_SendsOneRefreshAndBothGetTheNewToken()
    {
        await SeedAsync();
        var first = App(Store());
        var second = App(Store());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Gate = release.Task;

        var one = first.GetAccessTokenAsync().AsTask();
        var two = second.GetAccessTokenAsync().AsTask();
        // Hold the winner's refresh at the server until the other instance is waiting for the lock.
        await _logs.WaitForEventAsync(LockBusyEvent);
        release.SetResult();
        var tokens = await Task.WhenAll(one, two);

        Assert.Equal(1, _server.RefreshRequestCount);
        Assert.Equal("refresh-token-0", Assert.Single(_server.TokenRequests)["refresh_token"]);
        Assert.All(tokens, token => Assert.Equal("access-token-1", token.Value));
        Assert.Equal("refresh-token-1", (await SharedStoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task GetAccessTokenAsync_LockHeldByAnotherProcess_ThrowsLockTimeoutWithoutRefreshing()
    {
        await SeedAsync();
        var app = App(Store(lockTimeout: TimeSpan.FromMilliseconds(200)));
        using var held = await ((ITokenStoreLock)Store()).AcquireLockAsync(StoreKey, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<TokenStoreLockTimeoutException>(() => app.GetAccessTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("try again", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.TokenRequests);
        Assert.Equal("refresh-token-0", (await SharedStoredAsync())?.RefreshToken);
    }

    [Fact]
    public async Task GetAccessTokenAsync_RefreshFails_ReleasesTheLock()
    {
        var store = Store();
        await store.WriteAsync(StoreKey, new StoredTokens { RefreshToken = "revoked-refresh-token" }, CancellationToken.None);

        await Assert.ThrowsAsync<SignInRequiredException>(() => App(store).GetAccessTokenAsync().AsTask());

        using var again = await ((ITokenStoreLock)Store(lockTimeout: TimeSpan.Zero)).AcquireLockAsync(StoreKey, CancellationToken.None);
    }

    private Task<StoredTokens?> SharedStoredAsync() => Store().ReadAsync(StoreKey, CancellationToken.None);
}
