namespace OAuthClient.Desktop;

/// <summary>
/// A token store shared by several processes that can serialise their refreshes: one process at a time re-reads,
/// refreshes and writes the tokens of a key, so a rotating refresh token is spent once. Optional: a store without it
/// (such as <see cref="InMemoryTokenStore"/>, or a custom one) still works, with the in-process single flight only.
/// </summary>
internal interface ITokenStoreLock
{
    /// <summary>Waits until this caller alone holds the lock of <paramref name="key"/> across processes.</summary>
    /// <param name="key">The store key whose tokens are about to be refreshed.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The lock; disposing it releases the lock. The process ending releases it too.</returns>
    /// <exception cref="TokenStoreLockTimeoutException">Another holder kept the lock for the whole wait.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<IDisposable> AcquireLockAsync(string key, CancellationToken cancellationToken);
}
