using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Internal;

/// <summary>
/// Keeps tokens in an <see cref="IMemoryCache"/> and makes sure concurrent misses on one key share one token
/// request. A token in its refresh window is still served while one background request replaces it; callers
/// wait only once a token has really expired. Only successes are stored; a failed request reaches every
/// waiting caller and is then forgotten.
/// </summary>
/// <remarks>
/// A hit reads the entry from the key's <see cref="TokenCacheKey.Slot"/> rather than looking it up: the key is
/// built once per client, so the hit costs a field read and, with the system clock, a tick-count comparison.
/// The memory cache holds the entries, expires them with their tokens and may evict them; an eviction clears
/// the slot, and the next call asks for a new token. A key that renews in the background also has its read tokens
/// renewed at their renewal time by one timer for the whole cache (see TokenCache.Renewal.cs).
/// </remarks>
internal sealed partial class TokenCache : IDisposable
{
    /// <summary>The category of the cache's log lines (events 101 to 105), the same in every package.</summary>
    public const string LogCategory = "OAuthClient.TokenCache";

    // Environment.TickCount64 advances in steps of up to a few milliseconds (a coarse clock on Linux); the last
    // stretch before the refresh time takes the precise path, so the cheap check never errs late.
    private const long TickSlackMilliseconds = 50;

    // How often a token the monotonic clock calls fresh is checked against the wall clock too. The monotonic clock
    // (Environment.TickCount64) stops while the machine sleeps on Linux and macOS; the wall clock does not. After a
    // laptop wakes, an expired token is served for at most this long of awake time, and renewal starts then.
    private const long WallCheckMilliseconds = 1000;

    // How long after a failed background refresh the next one may start; the current token is used meanwhile.
    private static readonly TimeSpan RefreshRetryDelay = TimeSpan.FromSeconds(30);

    private static readonly PostEvictionDelegate ClearSlot = static (key, value, _, _) =>
        Interlocked.CompareExchange(ref ((TokenCacheKey)key).Slot, null, (CachedToken?)value);

    private readonly IMemoryCache _cache;
    private readonly ConcurrentDictionary<TokenCacheKey, Task<AccessToken>> _inFlight = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _systemClock;
    private readonly long _timestampsPerMillisecond;

    // Serialises storing and dropping entries, so that dropping a rejected token can never drop its replacement.
    private readonly object _gate = new();

    public TokenCache(IMemoryCache cache, TimeProvider time, ILoggerFactory loggers)
    {
        _cache = cache;
        _time = time;
        _logger = loggers.CreateLogger(LogCategory);
        // "Not yet due" is answered from a monotonic clock: with the system clock the tick count (4 ns) instead of
        // the wall clock (23 ns, most of a hit); with any other TimeProvider its timestamp, so tests take the same path.
        _systemClock = ReferenceEquals(time, TimeProvider.System);
        _timestampsPerMillisecond = Math.Max(1, time.TimestampFrequency / 1000);
    }

    /// <summary>
    /// Reads a token that has not expired: the hot path, free of locks and allocations. A token past its
    /// refresh time is still returned, and the first caller to see it starts its background replacement.
    /// </summary>
    public bool TryGet(ITokenSource source, [NotNullWhen(true)] out AccessToken? token)
    {
        // One read of the interface property: this runs on every API request.
        var key = source.Key;
        if ((Volatile.Read(ref key.Slot) ?? Lookup(key)) is { } cached)
        {
            if (MonotonicMilliseconds() < cached.CheapUntilTick)
            {
                Telemetry.CacheHit(key.ClientName);
                token = cached.Token;
                return true;
            }

            return TryGetSlow(source, cached, out token);
        }

        token = null;
        return false;
    }

    /// <summary>
    /// Reads the token in <paramref name="key"/>'s slot if the cheap check calls it fresh: no lookup, no wall clock, and
    /// nothing else. Anything else (an empty slot, a token due for the wall-clock check or for renewal) answers
    /// <see langword="false"/>, and the caller takes <see cref="TryGet"/>, which handles it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetCheap(TokenCacheKey key, [NotNullWhen(true)] out AccessToken? token)
    {
        if (Volatile.Read(ref key.Slot) is { } cached && MonotonicMilliseconds() < cached.CheapUntilTick)
        {
            Telemetry.CacheHit(key.ClientName);
            token = cached.Token;
            return true;
        }

        token = null;
        return false;
    }

    /// <summary>Returns the cached token, or joins (or starts) the one request in flight for the source's key.</summary>
    /// <remarks>Cancelling <paramref name="cancellationToken"/> stops this caller's wait, not the shared request.</remarks>
    public Task<AccessToken> GetOrAcquireAsync(ITokenSource source, CancellationToken cancellationToken)
    {
        var key = source.Key;
        while (true)
        {
            if (TryGet(source, out var token))
            {
                return Task.FromResult(token);
            }

            // Counted where the caller starts to wait, so a lost TryAdd race that loops is counted once.
            if (_inFlight.TryGetValue(key, out var running))
            {
                Telemetry.CacheMiss(key.ClientName);
                return running.WaitAsync(cancellationToken);
            }

            var flight = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, flight.Task))
            {
                // The flight starts before anything else can throw (a logger, a meter listener): a flight in the table
                // that never started would hold every later caller.
                _ = AcquireAsync(source, flight, refreshing: null);
                Telemetry.CacheMiss(key.ClientName);
                Log.CacheMiss(_logger, key.ClientName);
                return flight.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Drops <paramref name="rejected"/> if it is still the cached token; a newer token stays.</summary>
    public bool Remove(TokenCacheKey key, AccessToken rejected)
    {
        lock (_gate)
        {
            if ((Volatile.Read(ref key.Slot) ?? Lookup(key)) is { } cached && ReferenceEquals(cached.Token, rejected))
            {
                Drop(key, cached);
                Log.TokenDropped(_logger, key.ClientName);
                return true;
            }

            return false;
        }
    }

    /// <summary>Drops whatever token is cached under <paramref name="key"/>.</summary>
    public void Remove(TokenCacheKey key)
    {
        lock (_gate)
        {
            _cache.Remove(key);
            Volatile.Write(ref key.Slot, null);
        }
    }

    // The entry another key instance stored, or one this key's slot lost; the slot keeps it from then on.
    private CachedToken? Lookup(TokenCacheKey key)
    {
        if (_cache.TryGetValue(key, out var value) && value is CachedToken cached)
        {
            if (key.HasSlot)
            {
                Interlocked.CompareExchange(ref key.Slot, cached, null);
            }

            return cached;
        }

        return null;
    }

    // Inlined into the hit path: with the system clock it is one tick-count read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long MonotonicMilliseconds() => _systemClock ? Environment.TickCount64 : OtherClockMilliseconds();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long OtherClockMilliseconds() => _time.GetTimestamp() / _timestampsPerMillisecond;

    private bool TryGetSlow(ITokenSource source, CachedToken cached, [NotNullWhen(true)] out AccessToken? token)
    {
        var now = _time.GetUtcNow();
        var current = cached.Token;
        if (now < current.ExpiresAt)
        {
            if (now >= current.RefreshAt)
            {
                if (cached.TryBeginRefresh(now))
                {
                    StartRefresh(source, cached);
                }
            }
            else
            {
                // The wall clock agrees that the token is fresh: the cheap check may answer again for a while.
                cached.CheapUntilTick = Math.Min(cached.FreshUntilTick, MonotonicMilliseconds() + WallCheckMilliseconds);
            }

            cached.MarkRead();
            Telemetry.CacheHit(source.Key.ClientName);
            token = current;
            return true;
        }

        lock (_gate)
        {
            if (ReferenceEquals(Volatile.Read(ref source.Key.Slot) ?? Lookup(source.Key), cached))
            {
                Drop(source.Key, cached);
            }
        }

        token = null;
        return false;
    }

    private void Drop(TokenCacheKey key, CachedToken cached)
    {
        _cache.Remove(key);
        Interlocked.CompareExchange(ref key.Slot, null, cached);
    }

    // queued: started by the renewal timer, which counts such renewals until they end. Returns whether it started.
    private bool StartRefresh(ITokenSource source, CachedToken cached, bool queued = false)
    {
        var flight = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(source.Key, flight.Task))
        {
            // A request for this key already runs (a caller whose token was dropped); it replaces this token too.
            cached.EndRefresh(_time.GetUtcNow());
            return false;
        }

        // On the thread pool and without the caller's ExecutionContext: the caller who noticed must not pay for
        // the request, nor lend it its ambient state.
        ThreadPool.UnsafeQueueUserWorkItem(
            static s => _ = s.Cache.AcquireAsync(s.Source, s.Flight, s.Cached, s.Queued),
            (Cache: this, Source: source, Flight: flight, Cached: cached, Queued: queued),
            preferLocal: false);
        Log.RefreshStarted(_logger, source.Key.ClientName, cached.Token.ExpiresAt);
        return true;
    }

    private async Task AcquireAsync(ITokenSource source, TaskCompletionSource<AccessToken> flight, CachedToken? refreshing, bool queued = false)
    {
        var key = source.Key;
        AccessToken? token = null;
        Exception? failure = null;
        try
        {
            // A flight that ended between this caller's miss and its TryAdd may already have stored a token.
            if (refreshing is not null || !TryGetFresh(key, out token))
            {
                token = await source.RequestTokenAsync(CancellationToken.None).ConfigureAwait(false);
                Store(source, token);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        // The flight leaves the table before it completes: a caller who already has this result and asks
        // again must find the cache (or start a new flight), never join a flight that has ended.
        _inFlight.TryRemove(new KeyValuePair<TokenCacheKey, Task<AccessToken>>(key, flight.Task));
        refreshing?.EndRefresh(_time.GetUtcNow() + RefreshRetryDelay);
        if (failure is null)
        {
            flight.SetResult(token!);
        }
        else
        {
            flight.SetException(failure);
            // Every caller may have given up waiting; observe the failure so it is not reported as unobserved.
            _ = flight.Task.Exception;
        }

        if (queued)
        {
            RenewalEnded(source, failure is null ? null : refreshing);
        }
        else if (failure is not null && refreshing is not null && key.RenewInBackground && key.HasSlot)
        {
            // A renewal a request started fails as one the timer started: the timer tries it again, so a client that goes
            // idle after that request does not find its token expired.
            PlanRetry(source, refreshing);
        }

        // Logged only once the flight has ended: a logger that throws cannot leave its callers waiting. Nobody awaits this
        // task either, so what the logger throws is dropped here rather than left as an unobserved task exception.
        if (refreshing is not null)
        {
            try
            {
                LogRefreshEnded(key, refreshing, failure);
            }
#pragma warning disable CA1031 // A log sink's failure after the flight ended; there is no caller left to tell.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    // After a failure the old token stays in use until it expires, with one retry per back-off, never a stampede.
    // After a success the entry has normally been replaced; if the new token could not be stored (it expired at
    // once), the back-off keeps the old entry from asking again on every call.
    private void LogRefreshEnded(TokenCacheKey key, CachedToken refreshing, Exception? failure)
    {
        if (failure is null)
        {
            Log.Refreshed(_logger, key.ClientName);
        }
        else
        {
            Log.RefreshFailed(_logger, key.ClientName, refreshing.Token.ExpiresAt, RefreshRetryDelay, failure);
        }
    }

    private bool TryGetFresh(TokenCacheKey key, [NotNullWhen(true)] out AccessToken? token)
    {
        if ((Volatile.Read(ref key.Slot) ?? Lookup(key)) is { } cached && _time.GetUtcNow() < cached.Token.RefreshAt)
        {
            token = cached.Token;
            return true;
        }

        token = null;
        return false;
    }

    private void Store(ITokenSource source, AccessToken token)
    {
        var key = source.Key;
        var now = _time.GetUtcNow();
        var lifetime = token.ExpiresAt - now;

        // A request that ends after the services were disposed (a renewal under way at shutdown) stores nothing: the memory
        // cache is disposed after this cache, and writing to it would turn the token its callers still get into a warning.
        if (lifetime <= TimeSpan.Zero || Volatile.Read(ref _disposed))
        {
            return;
        }

        var untilRefresh = token.RefreshAt - now;
        var tick = MonotonicMilliseconds();
        var freshUntilTick = untilRefresh.TotalMilliseconds > TickSlackMilliseconds
            ? tick + (long)untilRefresh.TotalMilliseconds - TickSlackMilliseconds
            : long.MinValue;
        // A token that renews in the background sends its first read down the precise path, which records that it was read.
        var cached = new CachedToken(token, freshUntilTick)
        {
            CheapUntilTick = key.RenewInBackground ? long.MinValue : Math.Min(freshUntilTick, tick + WallCheckMilliseconds),
        };

        // Relative to our clock: the memory cache reads its own, which a fake TimeProvider does not move.
        var entry = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 };
        entry.RegisterPostEvictionCallback(ClearSlot);
        lock (_gate)
        {
            if (!source.MayCache(token))
            {
                return;
            }

            _cache.Set(key, cached, entry);
            if (key.HasSlot)
            {
                Volatile.Write(ref key.Slot, cached);
            }
        }

        // Past the lock, so a renewal never waits for the queue's: the queue checks that the token is still current anyway.
        if (key.RenewInBackground && key.HasSlot)
        {
            ScheduleRenewal(source, cached);
        }
    }
}
