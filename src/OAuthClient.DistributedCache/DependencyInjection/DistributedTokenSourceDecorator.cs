using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OAuthClient;

/// <summary>
/// Wraps the token source of each client that called <c>UseDistributedTokenCache</c> in a <see cref="DistributedTokenSource"/>,
/// built from the <see cref="IDistributedCache"/>, data protection and (when registered) the <see cref="IConnectionMultiplexer"/> in DI.
/// </summary>
internal sealed class DistributedTokenSourceDecorator : ITokenSourceDecorator
{
    private readonly IServiceProvider _services;
    private readonly HashSet<string> _clients;
    private readonly Dictionary<string, Func<IServiceProvider, IDataProtector>> _protectors;
    private readonly IOptionsMonitor<DistributedTokenCacheOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DistributedTokenSourceDecorator(
        IServiceProvider services,
        IEnumerable<DistributedTokenCacheRegistration> registrations,
        IEnumerable<DistributedTokenCacheProtector> protectors,
        IOptionsMonitor<DistributedTokenCacheOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _services = services;
        _clients = registrations.Select(r => r.ClientName).ToHashSet(StringComparer.Ordinal);

        // The last protector set for a client wins, as the last Configure call would.
        _protectors = new Dictionary<string, Func<IServiceProvider, IDataProtector>>(StringComparer.Ordinal);
        foreach (var protector in protectors)
        {
            _protectors[protector.ClientName] = protector.Create;
        }

        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("OAuthClient.DistributedCache");
    }

    /// <exception cref="InvalidOperationException">No <see cref="IDistributedCache"/> or data protection is registered.</exception>
    public ITokenSource Decorate(string clientName, string sharedKey, ITokenSource source)
    {
        if (!_clients.Contains(clientName))
        {
            return source;
        }

        var options = _options.Get(clientName);
        var cache = _services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
            $"OAuthClient client '{clientName}' uses the distributed token cache, but no IDistributedCache is registered (for example AddStackExchangeRedisCache).");
        var protector = _protectors.GetValueOrDefault(clientName)?.Invoke(_services)
            ?? _services.GetService<IDataProtectionProvider>()?.CreateProtector(DistributedTokenCacheDefaults.ProtectorPurpose)
            ?? throw new InvalidOperationException(
                $"OAuthClient client '{clientName}' uses the distributed token cache, but data protection is not registered (AddDataProtection with a key ring all instances share) and no protector is set with UseDistributedTokenCacheProtector.");

        var key = SharedTokenKey.Create(options.KeyPrefix, sharedKey);
        var store = new SharedTokenStore(clientName, key, cache, protector, options.OperationTimeout, _time, _logger);
        var tokenLock = _services.GetService<IConnectionMultiplexer>() is { } redis
            ? new RedisTokenLock(clientName, redis, key + DistributedTokenCacheDefaults.LockSuffix, LockExpiry(clientName, options), options.OperationTimeout, _time, _logger)
            : null;
        return new DistributedTokenSource(clientName, source, store, tokenLock, options.LockWaitTimeout, _time, _logger);
    }

    // The holder keeps the lock for its whole fetch: the token request (bounded by TokenRequestTimeout, discovery and
    // retries included), then a read and a write of the shared entry (each bounded by OperationTimeout). A shorter
    // expiry would let a slow but alive holder lose the lock, and a second instance fetch the same token.
    private TimeSpan LockExpiry(string clientName, DistributedTokenCacheOptions options)
    {
        var timeout = _services.GetService<IOptionsMonitor<ClientCredentialsOptions>>()?.Get(clientName).TokenRequestTimeout
            ?? ProtocolDefaults.TokenRequestTimeout;
        var needed = timeout + (2 * options.OperationTimeout);
        return options.LockExpiry >= needed ? options.LockExpiry : needed;
    }
}
