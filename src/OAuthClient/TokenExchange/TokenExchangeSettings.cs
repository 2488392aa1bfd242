using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Internal;

/// <summary>
/// One version of a token-exchange client: its options, the token client's source of the moment (endpoint, credentials,
/// DPoP key), and a cache of its own. A change of either makes a new version with an empty cache, so no token of old
/// settings is served after the change; cache keys belong to one version (compared by reference).
/// </summary>
internal sealed class TokenExchangeSettings
{
    public TokenExchangeSettings(
        string clientName,
        TokenExchangeOptions options,
        ClientCredentialsClient tokenClient,
        ClientCredentialsTokenSource tokenSource,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ClientName = clientName;
        _time = time;
        TokenClient = tokenClient;
        TokenSource = tokenSource;
        Audience = options.Audience;
        Resource = options.Resource;
        Scope = options.Scope;
        RequestedTokenType = options.RequestedTokenType;
        UseActorToken = options.UseActorToken;
        Parameters = new Dictionary<string, string>(options.Parameters, StringComparer.Ordinal);
        ApiOrigins = options.ApiOrigins.Select(ApiOrigin.From).ToArray();

        // Each entry is one user's token under these settings; the limit bounds memory whatever the number of users. A full
        // cache refuses the new entry and compacts to SizeLimit less (long)(SizeLimit * CompactionPercentage): with the
        // default 5% that frees nothing below 20 entries, and a small cache would never take another user. 1.5 / limit
        // frees at least one whatever the rounding; 5% above 30.
        var limit = options.MaxCachedTokens;
        Cache = new TokenCache(
            new MemoryCache(new MemoryCacheOptions { SizeLimit = limit, CompactionPercentage = Math.Clamp(1.5 / limit, 0.05, 1.0) }), time, loggers);
    }

    // How often a refused exchange may drop the actor token: invalid_grant does not say whether the subject or the actor was
    // refused, and callers with bad subjects must not make the service fetch a new token of its own for each.
    private static readonly TimeSpan ActorDropInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private long _nextActorDropTicks;

    public string ClientName { get; }

    public ClientCredentialsClient TokenClient { get; }

    /// <summary>Gets the token client's source these settings were made with; when it changes, so do they.</summary>
    public ClientCredentialsTokenSource TokenSource { get; }

    public TokenEndpoint Endpoint => TokenSource.Endpoint;

    public string? Audience { get; }

    public string? Resource { get; }

    public string? Scope { get; }

    public string RequestedTokenType { get; }

    public bool UseActorToken { get; }

    public IDictionary<string, string> Parameters { get; }

    public ApiOrigin[] ApiOrigins { get; }

    public TokenCache Cache { get; }

    /// <summary>
    /// Drops <paramref name="actorToken"/> from the token client's cache after the server refused an exchange that carried it
    /// (<c>invalid_grant</c>: a revoked actor token, or a bad subject), at most once every 30 seconds.
    /// </summary>
    public void DropActorTokenAfterRefusal(AccessToken actorToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var next = Volatile.Read(ref _nextActorDropTicks);
        if (now >= next && Interlocked.CompareExchange(ref _nextActorDropTicks, now + ActorDropInterval.Ticks, next) == next)
        {
            TokenClient.Invalidate(actorToken);
        }
    }
}
