using System.Diagnostics;

namespace OAuthClient.Desktop.Tests.TokenStore;

public sealed class FileTokenStoreLockTests : IDisposable
{
    private const string Key = "https://login.example.com/ desktop-app openid offline_access";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "oauthclient-tests-" + Guid.NewGuid().ToString("N"), "tokens");

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_directory)))
        {
            Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);
        }
    }

    // A separate store object per "process": each opens the lock file itself, as another process would.
    private FileTokenStore Store(TimeSpan lockTimeout) =>
        new(new FileTokenStoreOptions { Directory = _directory, StorePlaintext = true, LockTimeout = lockTimeout });

    private Task<IDisposable> AcquireAsync(TimeSpan lockTimeout, CancellationToken cancellationToken = default) =>
        ((ITokenStoreLock)Store(lockTimeout)).AcquireLockAsync(Key, cancellationToken);

    [Fact]
    public async Task AcquireLockAsync_HeldElsewhere_ThrowsLockTimeoutAfterTheConfiguredWait()
    {
        using var held = await AcquireAsync(TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();

        var ex = await Assert.ThrowsAsync<TokenStoreLockTimeoutException>(
            () => AcquireAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(30)));

        var waited = Stopwatch.GetElapsedTime(started);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
        Assert.Contains(".lock", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireLockAsync_ReleasedWhileWaiting_Acquires()
    {
        var held = await AcquireAsync(TimeSpan.Zero);
        var waiting = AcquireAsync(TimeSpan.FromSeconds(30));

        held.Dispose();

        using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AcquireLockAsync_ExceptionInsideTheLock_NextAcquireSucceeds()
    {
        async Task FailInsideTheLockAsync()
        {
            using var held = await AcquireAsync(TimeSpan.Zero);
            throw new InvalidOperationException("refresh failed");
        }

        await Assert.ThrowsAsync<InvalidOperationException>(FailInsideTheLockAsync);

        using var again = await AcquireAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task AcquireLockAsync_CancelledWhileWaiting_ThrowsOperationCanceledAndHoldsNothing()
    {
        var held = await AcquireAsync(TimeSpan.Zero);
        using var cancel = new CancellationTokenSource();
        var waiting = AcquireAsync(TimeSpan.FromSeconds(30), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        held.Dispose();
        using var again = await AcquireAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task AcquireLockAsync_OnUnix_LockFileIs0600BesideTheTokenFile()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var held = await AcquireAsync(TimeSpan.Zero);

        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.EndsWith(".json.lock", file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Constructor_NegativeLockTimeout_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Store(TimeSpan.FromSeconds(-1)));
}
