namespace OAuthClient.Internal;

/// <summary>
/// A token as the cache keeps it: the immutable <see cref="AccessToken"/>, a cheap deadline for the hot path,
/// and the state of its background refresh (whether one runs, and when the next may start after a failure).
/// A new token gets a new entry.
/// </summary>
internal sealed class CachedToken
{
    private long _nextRefreshTicks;
    private int _refreshing;
    private int _read;

    public CachedToken(AccessToken token, long freshUntilTick)
    {
        Token = token;
        FreshUntilTick = freshUntilTick;
        _nextRefreshTicks = token.RefreshAt.UtcTicks;
    }

    public AccessToken Token { get; }

    /// <summary>Gets the monotonic millisecond before which the token is not due for renewal, had the machine not slept.</summary>
    public long FreshUntilTick { get; }

    /// <summary>
    /// The monotonic millisecond before which a hit needs no other check: <see cref="FreshUntilTick"/>, or sooner, when
    /// the wall clock must be asked again (it moves on while the machine sleeps; the monotonic clock does not).
    /// A plain field: a torn or stale read only sends a caller down the precise path.
    /// </summary>
    public long CheapUntilTick;

    /// <summary>
    /// Whether a caller has been served this token from the cache; only recorded when <see cref="CheapUntilTick"/> sends
    /// the first read down the precise path, which it does for a key that renews in the background.
    /// </summary>
    public bool WasRead => Volatile.Read(ref _read) != 0;

    public void MarkRead()
    {
        if (_read == 0)
        {
            Volatile.Write(ref _read, 1);
        }
    }

    /// <summary>Claims the one background refresh of this token, if it is due at <paramref name="now"/> and none runs.</summary>
    public bool TryBeginRefresh(DateTimeOffset now) =>
        now.UtcTicks >= Volatile.Read(ref _nextRefreshTicks) && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

    /// <summary>Releases the claim after a refresh that did not replace this token; the next may start at <paramref name="retryAt"/>.</summary>
    public void EndRefresh(DateTimeOffset retryAt)
    {
        // The back-off is published before the claim is released, so no caller can start a retry early.
        Volatile.Write(ref _nextRefreshTicks, retryAt.UtcTicks);
        Volatile.Write(ref _refreshing, 0);
    }
}
