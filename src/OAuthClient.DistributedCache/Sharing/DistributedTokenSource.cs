using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Puts a shared cache between the in-process cache and the token endpoint. Called only on an in-process miss: it
/// serves the shared token while it is before its renewal time; otherwise one instance takes the Redis lock, looks
/// again and asks the token endpoint, while the others wait for its token. Any cache failure falls back to the endpoint.
/// </summary>
internal sealed class DistributedTokenSource : ITokenSource, ITokenRejectionObserver
{
    private readonly string _clientName;
    private readonly ITokenSource _inner;
    private readonly SharedTokenStore _store;
    private readonly RedisTokenLock? _lock;
    private readonly TimeSpan _lockWaitTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile string? _rejected;

    public DistributedTokenSource(
        string clientName, ITokenSource inner, SharedTokenStore store, RedisTokenLock? tokenLock, TimeSpan lockWaitTimeout, TimeProvider time, ILogger logger)
    {
        _clientName = clientName;
        _inner = inner;
        _store = store;
        _lock = tokenLock;
        _lockWaitTimeout = lockWaitTimeout;
        _time = time;
        _logger = logger;
    }

    public TokenCacheKey Key => _inner.Key;

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var read = await ReadUsableAsync(cancellationToken).ConfigureAwait(false);
        if (read.Token is { } shared)
        {
            return shared;
        }

        if (read.Unavailable)
        {
            return await _inner.RequestTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        return _lock is null
            ? await FetchAndShareAsync(cancellationToken).ConfigureAwait(false)
            : await FetchUnderLockAsync(_lock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Remembers the token the API rejected, and tells the other instances, so no copy of it is served again.</summary>
    public void OnRejected(AccessToken rejected)
    {
        _rejected = rejected.Value;

        // Bounded by OperationTimeout and never throwing: the caller's retry does not wait for it.
        _ = _store.PublishRejectionAsync(rejected);
    }

    private async Task<AccessToken> FetchUnderLockAsync(RedisTokenLock tokenLock, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var delay = DistributedTokenCacheDefaults.FirstPollDelay;
        while (true)
        {
            var (outcome, owner) = await tokenLock.TryTakeAsync(cancellationToken).ConfigureAwait(false);
            if (outcome == RedisTokenLock.Outcome.Taken)
            {
                try
                {
                    // Another instance may have stored a token between the first look and the lock.
                    var again = await ReadUsableAsync(cancellationToken).ConfigureAwait(false);
                    return again.Token ?? await FetchAndShareAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await tokenLock.ReleaseAsync(owner).ConfigureAwait(false);
                }
            }

            if (outcome == RedisTokenLock.Outcome.Unavailable)
            {
                return await FetchAndShareAsync(cancellationToken).ConfigureAwait(false);
            }

            var waited = _time.GetElapsedTime(started);
            if (waited >= _lockWaitTimeout)
            {
                DistributedCacheLog.LockWaitTimedOut(_logger, _clientName, waited);
                return await FetchAndShareAsync(cancellationToken).ConfigureAwait(false);
            }

            DistributedCacheLog.WaitingForOtherInstance(_logger, _clientName);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, DistributedTokenCacheDefaults.MaxPollDelay.Ticks));

            var read = await ReadUsableAsync(cancellationToken).ConfigureAwait(false);
            if (read.Token is { } shared)
            {
                return shared;
            }

            if (read.Unavailable)
            {
                return await _inner.RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<AccessToken> FetchAndShareAsync(CancellationToken cancellationToken)
    {
        var token = await _inner.RequestTokenAsync(cancellationToken).ConfigureAwait(false);
        await _store.WriteAsync(token, cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>Reads the shared token and keeps it only while it is before its renewal time and not rejected by the API.</summary>
    private async Task<SharedRead> ReadUsableAsync(CancellationToken cancellationToken)
    {
        var read = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (read.Token is not { } token)
        {
            if (!read.Unavailable)
            {
                DistributedCacheLog.SharedMiss(_logger, _clientName);
            }

            return read;
        }

        if (_time.GetUtcNow() >= token.RefreshAt)
        {
            DistributedCacheLog.SharedMiss(_logger, _clientName);
            return SharedRead.Miss;
        }

        // Rejected by this instance's API calls, or by another's: a copy written back to the cache is still no token.
        if (string.Equals(token.Value, _rejected, StringComparison.Ordinal)
            || await _store.IsRejectedAsync(token, cancellationToken).ConfigureAwait(false))
        {
            DistributedCacheLog.SharedTokenRejected(_logger, _clientName);
            return SharedRead.Miss;
        }

        DistributedCacheLog.SharedHit(_logger, _clientName);
        return read;
    }
}
