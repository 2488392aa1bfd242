using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Every log line of the package. Event ids: 4xx shared token cache. Named apart from the core package's
/// <c>Log</c>, whose internals this package sees. No method takes a token, a cache payload or a secret.
/// </summary>
internal static partial class DistributedCacheLog
{
    [LoggerMessage(400, LogLevel.Debug, "Shared token cache hit for client '{ClientName}'.")]
    public static partial void SharedHit(ILogger logger, string clientName);

    [LoggerMessage(401, LogLevel.Debug, "Shared token cache miss for client '{ClientName}'.")]
    public static partial void SharedMiss(ILogger logger, string clientName);

    [LoggerMessage(402, LogLevel.Warning, "The shared token cache failed for client '{ClientName}' ({Operation}); the token endpoint is used directly.")]
    public static partial void SharedCacheUnavailable(ILogger logger, string clientName, string operation, Exception exception);

    [LoggerMessage(403, LogLevel.Warning, "The shared token cache entry of client '{ClientName}' could not be decrypted or verified; treated as a miss.")]
    public static partial void SharedEntryUnreadable(ILogger logger, string clientName);

    [LoggerMessage(404, LogLevel.Debug, "Stored the token of client '{ClientName}' in the shared cache until {ExpiresAt}.")]
    public static partial void SharedStored(ILogger logger, string clientName, DateTimeOffset expiresAt);

    [LoggerMessage(405, LogLevel.Debug, "Another instance is getting the token of client '{ClientName}'; waiting for it.")]
    public static partial void WaitingForOtherInstance(ILogger logger, string clientName);

    [LoggerMessage(406, LogLevel.Warning, "Client '{ClientName}' waited {Waited} for another instance's token; requesting one itself.")]
    public static partial void LockWaitTimedOut(ILogger logger, string clientName, TimeSpan waited);

    [LoggerMessage(407, LogLevel.Debug, "The shared token of client '{ClientName}' was rejected by the API; fetching a new one.")]
    public static partial void SharedTokenRejected(ILogger logger, string clientName);
}
