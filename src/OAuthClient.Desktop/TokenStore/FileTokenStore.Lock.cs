using System.Diagnostics;

namespace OAuthClient.Desktop;

/// <summary>The cross-process refresh lock: one lock file per key, beside the token file.</summary>
public sealed partial class FileTokenStore : ITokenStoreLock
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc/>
    async Task<IDisposable> ITokenStoreLock.AcquireLockAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key) + ".lock";
        CreateDirectory(Directory);
        var started = Stopwatch.GetTimestamp();
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IOException taken;
            try
            {
                return OpenLockFile(path);
            }
            catch (IOException ex) when (ex is not (DirectoryNotFoundException or PathTooLongException))
            {
                // A sharing violation (Windows) or a failed flock (Unix): another process, or another store
                // object in this one, is refreshing these tokens.
                taken = ex;
            }

            var left = _lockTimeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                Log.TokenStoreLockTimedOut(_logger, path, _lockTimeout);
                throw new TokenStoreLockTimeoutException(
                    $"The token store lock '{path}' stayed taken for {_lockTimeout.TotalSeconds:0.###} s, most likely by another instance of the app " +
                    "refreshing the same tokens. No refresh was attempted, so the refresh token is not spent twice; try again (no new sign-in is needed).",
                    taken);
            }

            if (attempt == 1)
            {
                Log.TokenStoreLockBusy(_logger, path, _lockTimeout);
            }

            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < LastRetryDelay ? delay * 2 : LastRetryDelay;
        }
    }

    private static FileStream OpenLockFile(string path)
    {
        // FileShare.None is the lock: a share mode on Windows, flock(LOCK_EX) on Unix. The file is never deleted,
        // since deleting a lock file lets two processes each lock a different file under the same name.
        var open = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            open.UnixCreateMode = OwnerOnlyFile;
        }

        return new FileStream(path, open);
    }
}
