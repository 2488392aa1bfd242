using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Reads and writes one client's token in the <see cref="IDistributedCache"/>, protected by a data protector whose
/// purpose includes the key. Every call is time-bounded; a failure, a timeout or an entry that does not verify is a miss.
/// </summary>
internal sealed class SharedTokenStore
{
    private readonly string _clientName;
    private readonly IDistributedCache _cache;
    private readonly IDataProtector _protector;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SharedTokenStore(string clientName, string key, IDistributedCache cache, IDataProtector protector, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _clientName = clientName;
        Key = key;
        _cache = cache;
        _protector = protector.CreateProtector(key);
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    public string Key { get; }

    public async Task<SharedRead> ReadAsync(CancellationToken cancellationToken)
    {
        byte[]? data;
        try
        {
            data = await BoundedCall.WaitAsync(_cache.GetAsync(Key, cancellationToken), _timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            DistributedCacheLog.SharedCacheUnavailable(_logger, _clientName, "read", ex);
            return SharedRead.Failed;
        }

        if (data is null)
        {
            return SharedRead.Miss;
        }

        try
        {
            return new SharedRead(SharedTokenFormat.Read(_protector.Unprotect(data)), Unavailable: false);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // Tampered, written with another key ring, or not ours: never a token. The payload stays out of the log.
            DistributedCacheLog.SharedEntryUnreadable(_logger, _clientName);
            return SharedRead.Miss;
        }
    }

    /// <summary>
    /// Publishes that the API rejected <paramref name="token"/>, under a key of its own (a hash of the token) until the token
    /// expires: other instances then skip it, even if its entry is written back (a replayed ciphertext is still valid).
    /// </summary>
    public async Task PublishRejectionAsync(AccessToken token)
    {
        var lifetime = token.ExpiresAt - _time.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        try
        {
            var marker = _protector.Protect(RejectionMarker(token));
            await BoundedCall.WaitAsync(_cache.SetAsync(RejectionKey(token), marker, entry, CancellationToken.None), _timeout, _time, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
            DistributedCacheLog.SharedCacheUnavailable(_logger, _clientName, "publish rejection", ex);
        }
    }

    /// <summary>Tells whether an instance published that the API rejected <paramref name="token"/>. A cache that fails says no.</summary>
    public async Task<bool> IsRejectedAsync(AccessToken token, CancellationToken cancellationToken)
    {
        try
        {
            var data = await BoundedCall.WaitAsync(_cache.GetAsync(RejectionKey(token), cancellationToken), _timeout, _time, cancellationToken)
                .ConfigureAwait(false);

            // Only a marker made with the key ring counts: one written by anybody else is ignored.
            return data is not null && CryptographicOperations.FixedTimeEquals(_protector.Unprotect(data), RejectionMarker(token));
        }
        catch (Exception ex) when (ex is CryptographicException || IsFailure(ex, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>Stores <paramref name="token"/> until it expires; a failure is logged and otherwise ignored.</summary>
    public async Task WriteAsync(AccessToken token, CancellationToken cancellationToken)
    {
        var lifetime = token.ExpiresAt - _time.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        try
        {
            var data = _protector.Protect(SharedTokenFormat.Write(token));
            await BoundedCall.WaitAsync(_cache.SetAsync(Key, data, entry, cancellationToken), _timeout, _time, cancellationToken).ConfigureAwait(false);
            DistributedCacheLog.SharedStored(_logger, _clientName, token.ExpiresAt);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            DistributedCacheLog.SharedCacheUnavailable(_logger, _clientName, "write", ex);
        }
    }

    private string RejectionKey(AccessToken token) => Key + DistributedTokenCacheDefaults.RejectedSuffix + Convert.ToHexString(RejectionMarker(token));

    private static byte[] RejectionMarker(AccessToken token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token.Value));

    // Anything the cache throws, timeouts included, is a failure; only the caller's own cancellation goes on up.
    internal static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
