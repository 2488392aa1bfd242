using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Keeps one token per key and makes sure concurrent misses on one key share one token request. A token in
/// its refresh window is still served while one background request replaces it; callers wait only once a
/// token has really expired. Only successes are stored; a failed request reaches every waiting caller and is
/// then forgotten.
/// </summary>
/// <remarks>
/// The store is a private dictionary rather than an <c>IMemoryCache</c>: expiry is the token's own, read
/// through <see cref="TimeProvider"/>, and a hit must cost one lookup. MemoryCache added a second lookup and
/// a clock read of its own to every hit (26 ns), and a shared instance could compact tokens away.
/// </remarks>
internal sealed class TokenCache
{
    // Environment.TickCount64 advances in steps of up to a few milliseconds (a coarse clock on Linux); the last
    // stretch before the refresh time takes the precise path, so the cheap check never errs late.
    private const long TickSlackMilliseconds = 50;

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<TokenCacheKey, CachedToken> _tokens = new();
    private readonly ConcurrentDictionary<TokenCacheKey, Task<AccessToken>> _inFlight = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _systemClock;
    private long _nextSweepTicks;

    public TokenCache(TimeProvider time, ILogger<TokenCache> logger)
    {
        _time = time;
        _logger = logger;
        // With the system clock, "not yet due" is answered from the monotonic tick count (4 ns) instead of the
        // wall clock (23 ns, most of a hit). Any other TimeProvider (a fake one in tests) is asked every time.
        _systemClock = ReferenceEquals(time, TimeProvider.System);
    }

    /// <summary>
    /// Reads a token that has not expired: the hot path, free of locks and allocations. A token past its
    /// refresh time is still returned, and the first caller to see it starts its background replacement.
    /// </summary>
    public bool TryGet(ITokenSource source, [NotNullWhen(true)] out AccessToken? token)
    {
        if (_tokens.TryGetValue(source.Key, out var cached))
        {
            if (_systemClock && Environment.TickCount64 < cached.FreshUntilTick)
            {
                token = cached.Token;
                return true;
            }

            return TryGetSlow(source, cached, out token);
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

            if (_inFlight.TryGetValue(key, out var running))
            {
                return running.WaitAsync(cancellationToken);
            }

            var flight = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, flight.Task))
            {
                Log.CacheMiss(_logger, key.ClientName);
                _ = AcquireAsync(source, flight, refreshing: null);
                return flight.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Drops <paramref name="rejected"/> if it is still the cached token; a newer token stays.</summary>
    public bool Remove(TokenCacheKey key, AccessToken rejected)
    {
        // Removing the exact entry that holds the rejected token can never drop its replacement.
        if (_tokens.TryGetValue(key, out var cached) && ReferenceEquals(cached.Token, rejected)
            && _tokens.TryRemove(new KeyValuePair<TokenCacheKey, CachedToken>(key, cached)))
        {
            Log.TokenDropped(_logger, key.ClientName);
            return true;
        }

        return false;
    }

    /// <summary>Drops whatever token is cached under <paramref name="key"/>.</summary>
    public void Remove(TokenCacheKey key) => _tokens.TryRemove(key, out _);

    private bool TryGetSlow(ITokenSource source, CachedToken cached, [NotNullWhen(true)] out AccessToken? token)
    {
        var now = _time.GetUtcNow();
        var current = cached.Token;
        if (now < current.RefreshAt)
        {
            token = current;
            return true;
        }

        if (now < current.ExpiresAt)
        {
            if (cached.TryBeginRefresh(now))
            {
                StartRefresh(source, cached);
            }

            token = current;
            return true;
        }

        _tokens.TryRemove(new KeyValuePair<TokenCacheKey, CachedToken>(source.Key, cached));
        token = null;
        return false;
    }

    private void StartRefresh(ITokenSource source, CachedToken cached)
    {
        var flight = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(source.Key, flight.Task))
        {
            // A request for this key already runs (a caller whose token was dropped); it replaces this token too.
            cached.EndRefresh(_time.GetUtcNow());
            return;
        }

        Log.RefreshStarted(_logger, source.Key.ClientName, cached.Token.ExpiresAt);
        // On the thread pool and without the caller's ExecutionContext: the caller who noticed must not pay for
        // the request, nor lend it its ambient state.
        ThreadPool.UnsafeQueueUserWorkItem(
            static s => _ = s.Cache.AcquireAsync(s.Source, s.Flight, s.Cached),
            (Cache: this, Source: source, Flight: flight, Cached: cached),
            preferLocal: false);
    }

    private async Task AcquireAsync(ITokenSource source, TaskCompletionSource<AccessToken> flight, CachedToken? refreshing)
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
                Store(key, token);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        // The flight leaves the table before it completes: a caller who already has this result and asks
        // again must find the cache (or start a new flight), never join a flight that has ended.
        _inFlight.TryRemove(new KeyValuePair<TokenCacheKey, Task<AccessToken>>(key, flight.Task));
        if (refreshing is not null)
        {
            EndRefresh(key, refreshing, failure);
        }

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
    }

    private void EndRefresh(TokenCacheKey key, CachedToken refreshing, Exception? failure)
    {
        // After a failure the old token stays in use until it expires, with one retry per back-off, never a
        // stampede. After a success the entry has normally been replaced; if the new token could not be stored
        // (it expired at once), the back-off keeps the old entry from asking again on every call.
        var delay = ClientCredentialsDefaults.RefreshRetryDelay;
        refreshing.EndRefresh(_time.GetUtcNow() + delay);
        if (failure is null)
        {
            Log.Refreshed(_logger, key.ClientName);
        }
        else
        {
            Log.RefreshFailed(_logger, key.ClientName, refreshing.Token.ExpiresAt, delay, failure);
        }
    }

    private bool TryGetFresh(TokenCacheKey key, [NotNullWhen(true)] out AccessToken? token)
    {
        if (_tokens.TryGetValue(key, out var cached) && _time.GetUtcNow() < cached.Token.RefreshAt)
        {
            token = cached.Token;
            return true;
        }

        token = null;
        return false;
    }

    private void Store(TokenCacheKey key, AccessToken token)
    {
        var now = _time.GetUtcNow();
        var untilRefresh = token.RefreshAt - now;
        if (token.ExpiresAt <= now)
        {
            return;
        }

        var freshUntilTick = _systemClock && untilRefresh.TotalMilliseconds > TickSlackMilliseconds
            ? Environment.TickCount64 + (long)untilRefresh.TotalMilliseconds - TickSlackMilliseconds
            : long.MinValue;
        _tokens[key] = new CachedToken(token, freshUntilTick);
        SweepIfDue(now);
    }

    // Tokens whose key is never asked for again (a client whose options changed while its request ran) would
    // stay forever; a sweep at most once a minute, off the hot path, drops expired ones.
    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (key, cached) in _tokens)
        {
            if (cached.Token.ExpiresAt <= now)
            {
                _tokens.TryRemove(new KeyValuePair<TokenCacheKey, CachedToken>(key, cached));
            }
        }
    }
}
