namespace OAuthClient.Internal;

/// <summary>
/// Renewal without traffic, for keys that ask for it (<see cref="TokenCacheKey.RenewInBackground"/>): a token that a caller
/// read since it was stored is renewed at its renewal time even if no request comes then, so that a client used now and
/// then does not find its token expired and wait. One queue ordered by renewal time and one timer serve the whole cache;
/// a token nobody read is left to expire, so a client that stopped being used stops asking for tokens after one lifetime.
/// </summary>
/// <remarks>
/// The renewal is the same one a request in the renewal window starts (<see cref="CachedToken.TryBeginRefresh"/> and the
/// one flight per key), so the two never duplicate each other. At most <see cref="MaxQueuedRenewals"/> renewals that the
/// timer started run at once; later ones wait in the queue, and a request in the window still starts its own. One that
/// fails, whether the timer or a request started it, is tried again by the timer after the back-off (30 s) while the token
/// is valid. The timer runs on the monotonic clock, which stops while the machine sleeps, so while renewals are planned it
/// wakes at least every 30 s to read the wall clock: a renewal whose time passed during a sleep starts within 30 s of
/// waking, and the freshness checks of the hit path (the wall clock once a second) keep deciding what is served.
/// Disposing the cache stops the timer.
/// </remarks>
internal sealed partial class TokenCache
{
    /// <summary>How many renewals started by the timer may run at once.</summary>
    internal const int MaxQueuedRenewals = 64;

    /// <summary>The longest the renewal timer waits before it reads the wall clock again.</summary>
    internal static readonly TimeSpan RenewalTimerWakeInterval = TimeSpan.FromSeconds(30);

    /// <summary>The fewest planned renewals at which the queue drops those of tokens no longer current.</summary>
    internal const int CompactionThreshold = 256;

    // Ordered by renewal time (UTC ticks); guarded by itself.
    private readonly PriorityQueue<(ITokenSource Source, CachedToken Cached), long> _renewals = new();
    private int _compactAt = CompactionThreshold;
    private ITimer? _renewalTimer;
    private long _renewalTimerAt = long.MaxValue;
    private int _queuedRenewalsRunning;
    private bool _disposed;

    /// <summary>Stops the renewal timer and forgets the renewals it had planned; tokens already cached stay, and none is stored after.</summary>
    public void Dispose()
    {
        lock (_renewals)
        {
            _disposed = true;
            _renewalTimer?.Dispose();
            _renewals.Clear();
        }
    }

    private void ScheduleRenewal(ITokenSource source, CachedToken cached)
    {
        lock (_renewals)
        {
            if (_disposed)
            {
                return;
            }

            if (_renewals.Count >= _compactAt)
            {
                Compact();
            }

            _renewals.Enqueue((source, cached), cached.Token.RefreshAt.UtcTicks);
            ArmRenewalTimer();
        }
    }

    // Under the lock. A token dropped before its renewal time (a 401, a change of options) leaves its entry, and the token
    // and source in it, in the queue until then, up to a day; an API that rejects every token would grow the queue by one
    // entry per token request. Entries of tokens no longer current go once the queue has doubled since the last time, so
    // the queue stays within twice the live entries (or CompactionThreshold) at an amortised cost of O(1) per entry.
    private void Compact()
    {
        var now = _time.GetUtcNow();
        var live = new List<((ITokenSource Source, CachedToken Cached) Renewal, long At)>();
        foreach (var (renewal, at) in _renewals.UnorderedItems)
        {
            if (ReferenceEquals(Volatile.Read(ref renewal.Source.Key.Slot), renewal.Cached) && now < renewal.Cached.Token.ExpiresAt)
            {
                live.Add((renewal, at));
            }
        }

        _renewals.Clear();
        _renewals.EnqueueRange(live);
        _compactAt = Math.Max(CompactionThreshold, 2 * live.Count);
    }

    // Under the lock: the timer is due at the earliest planned renewal, unless the running ones are at the bound (the
    // end of one calls RenewDue again).
    private void ArmRenewalTimer()
    {
        if (_disposed || _queuedRenewalsRunning >= MaxQueuedRenewals || !_renewals.TryPeek(out _, out var at) || at >= _renewalTimerAt)
        {
            return;
        }

        // Never longer than the wake-up interval: the timer counts on the monotonic clock, which stops while the machine
        // sleeps, and the wall clock decides what is due. A renewal whose time passed during a sleep then starts within that
        // interval of waking, not after the whole delay again.
        var delay = TimeSpan.FromTicks(Math.Clamp(at - _time.GetUtcNow().UtcTicks, 0, RenewalTimerWakeInterval.Ticks));
        _renewalTimer ??= CreateRenewalTimer();
        _renewalTimer.Change(delay, Timeout.InfiniteTimeSpan);
        _renewalTimerAt = at;
    }

    // Without the ExecutionContext of the caller whose token came first: the timer outlives that request and must not lend
    // its ambient state (an Activity, a logging scope, an AsyncLocal) to every renewal after it.
    private ITimer CreateRenewalTimer()
    {
        AsyncFlowControl? flow = ExecutionContext.IsFlowSuppressed() ? null : ExecutionContext.SuppressFlow();
        try
        {
            return _time.CreateTimer(static s => ((TokenCache)s!).RenewDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            flow?.Undo();
        }
    }

    // Runs on the timer, and after each renewal it started: starts the renewals that are due, up to the bound.
    private void RenewDue()
    {
        while (TakeDue(_time.GetUtcNow()) is { } due)
        {
            var notStarted = 0;
            foreach (var (source, cached) in due)
            {
                // Outside the lock: a token request and its logging never run under it. A request in the renewal window may
                // have started this renewal already, or a failed one may be waiting out its back-off.
                if (!cached.TryBeginRefresh(_time.GetUtcNow()) || !TryStartQueuedRefresh(source, cached))
                {
                    notStarted++;
                }
            }

            if (notStarted == 0)
            {
                return;
            }

            // Their places go to the next due renewals, in this loop rather than by recursion.
            lock (_renewals)
            {
                _queuedRenewalsRunning -= notStarted;
            }
        }
    }

    // The due renewals of tokens still worth renewing, counted as running; null when there are none.
    private List<(ITokenSource Source, CachedToken Cached)>? TakeDue(DateTimeOffset now)
    {
        List<(ITokenSource Source, CachedToken Cached)>? due = null;
        lock (_renewals)
        {
            _renewalTimerAt = long.MaxValue;
            while (!_disposed && _queuedRenewalsRunning < MaxQueuedRenewals
                && _renewals.TryPeek(out var renewal, out var at) && at <= now.UtcTicks)
            {
                _renewals.Dequeue();
                if (IsCurrentAndRead(renewal.Source.Key, renewal.Cached, now))
                {
                    _queuedRenewalsRunning++;
                    (due ??= []).Add(renewal);
                }
            }

            ArmRenewalTimer();
        }

        return due;
    }

    // On the timer's thread: a logger that throws while the renewal starts must not end the process. The renewal itself
    // has started by then (StartRefresh logs last), and it ends as any other.
    private bool TryStartQueuedRefresh(ITokenSource source, CachedToken cached)
    {
        try
        {
            return StartRefresh(source, cached, queued: true);
        }
#pragma warning disable CA1031 // A log sink's failure on a timer thread; the renewal it reported is already running.
        catch (Exception)
#pragma warning restore CA1031
        {
            return true;
        }
    }

    // Still the key's token (not replaced, dropped or evicted), read by someone, and not expired.
    private static bool IsCurrentAndRead(TokenCacheKey key, CachedToken cached, DateTimeOffset now) =>
        ReferenceEquals(Volatile.Read(ref key.Slot), cached) && cached.WasRead && now < cached.Token.ExpiresAt;

    // A renewal the timer started has ended. One that failed (the token still in use) is tried again after the back-off a
    // request would wait, if the token is still valid then: an idle client must not depend on a request to retry.
    private void RenewalEnded(ITokenSource source, CachedToken? failed)
    {
        lock (_renewals)
        {
            _queuedRenewalsRunning--;
            if (failed is not null)
            {
                PlanRetryLocked(source, failed);
            }
        }

        // Renewals that waited for this one may be due already; the timer is set for the rest.
        RenewDue();
    }

    // A renewal a request started has failed: the timer tries it again after the back-off, as it does its own.
    private void PlanRetry(ITokenSource source, CachedToken failed)
    {
        lock (_renewals)
        {
            if (PlanRetryLocked(source, failed))
            {
                ArmRenewalTimer();
            }
        }
    }

    private bool PlanRetryLocked(ITokenSource source, CachedToken failed)
    {
        var retryAt = _time.GetUtcNow() + RefreshRetryDelay;
        if (_disposed || retryAt >= failed.Token.ExpiresAt)
        {
            return false;
        }

        _renewals.Enqueue((source, failed), retryAt.UtcTicks);
        return true;
    }

    /// <summary>Gets how many renewals the queue holds, current or not; for tests.</summary>
    internal int PlannedRenewals
    {
        get
        {
            lock (_renewals)
            {
                return _renewals.Count;
            }
        }
    }
}
