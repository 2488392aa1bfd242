using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace OAuthClient;

/// <summary>
/// The cross-instance lock of one token: a Redis key set with NX and an expiry (<c>LockTakeAsync</c>), released only by
/// its owner. Time-bounded like every Redis call; a failure says so instead of throwing.
/// </summary>
internal sealed class RedisTokenLock
{
    private readonly string _clientName;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _key;
    private readonly TimeSpan _expiry;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RedisTokenLock(string clientName, IConnectionMultiplexer redis, string key, TimeSpan expiry, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _clientName = clientName;
        _redis = redis;
        _key = key;
        _expiry = expiry;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    public enum Outcome
    {
        Taken,
        Busy,
        Unavailable,
    }

    /// <summary>Tries once to take the lock under a new owner id, which <see cref="ReleaseAsync"/> then needs.</summary>
    public async Task<(Outcome Outcome, string Owner)> TryTakeAsync(CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        try
        {
            var taken = await BoundedCall.WaitAsync(_redis.GetDatabase().LockTakeAsync(_key, owner, _expiry), _timeout, _time, cancellationToken)
                .ConfigureAwait(false);
            return (taken ? Outcome.Taken : Outcome.Busy, owner);
        }
        catch (Exception ex) when (SharedTokenStore.IsFailure(ex, cancellationToken))
        {
            DistributedCacheLog.SharedCacheUnavailable(_logger, _clientName, "lock", ex);
            return (Outcome.Unavailable, owner);
        }
    }

    /// <summary>Releases the lock if <paramref name="owner"/> still holds it; if not, it expires on its own.</summary>
    public async Task ReleaseAsync(string owner)
    {
        try
        {
            await BoundedCall.WaitAsync(_redis.GetDatabase().LockReleaseAsync(_key, owner), _timeout, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            DistributedCacheLog.SharedCacheUnavailable(_logger, _clientName, "unlock", ex);
        }
    }
}
