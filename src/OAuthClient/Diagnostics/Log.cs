using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Every log line of the package. Event ids: 1xx token cache and acquisition, 2xx the HttpClient handler.
/// No method takes a secret, a token, a request URI with its query, or a response body.
/// </summary>
internal static partial class Log
{
    /// <summary>Writes the origin of <paramref name="uri"/> as log lines show it: scheme, host and port, never a path or query.</summary>
    public static string Origin(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";

    // 100 was "token cache hit": a line per API call, dropped from the hot path. Ids are not reused.

    [LoggerMessage(101, LogLevel.Debug, "Token cache miss for client '{ClientName}'; requesting a token.")]
    public static partial void CacheMiss(ILogger logger, string clientName);

    [LoggerMessage(102, LogLevel.Debug, "Dropped the rejected token of client '{ClientName}' from the cache.")]
    public static partial void TokenDropped(ILogger logger, string clientName);

    [LoggerMessage(103, LogLevel.Debug, "Token of client '{ClientName}' is due for renewal; refreshing it in the background while it is used until {ExpiresAt}.")]
    public static partial void RefreshStarted(ILogger logger, string clientName, DateTimeOffset expiresAt);

    [LoggerMessage(104, LogLevel.Debug, "Background refresh of the token of client '{ClientName}' succeeded.")]
    public static partial void Refreshed(ILogger logger, string clientName);

    [LoggerMessage(105, LogLevel.Warning, "Background refresh of the token of client '{ClientName}' failed; the current token is used until it expires at {ExpiresAt}, and the next attempt waits {RetryDelay}.")]
    public static partial void RefreshFailed(ILogger logger, string clientName, DateTimeOffset expiresAt, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(110, LogLevel.Information, "Client '{ClientName}' got a {TokenType} token for scope '{Scope}' valid for {Lifetime}.")]
    public static partial void TokenAcquired(ILogger logger, string clientName, string tokenType, string? scope, TimeSpan lifetime);

    [LoggerMessage(111, LogLevel.Error, "Client '{ClientName}' could not get a token from {Endpoint}: status {StatusCode}, error '{Error}'.")]
    public static partial void TokenRequestFailed(ILogger logger, string clientName, Uri? endpoint, int? statusCode, string? error);

    [LoggerMessage(112, LogLevel.Warning, "Token request of client '{ClientName}' failed transiently ({Reason}); attempt {Attempt} follows in {Delay}.")]
    public static partial void TokenRequestRetry(ILogger logger, string clientName, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(113, LogLevel.Warning, "Client '{ClientName}' sends its credentials over plain HTTP to {Endpoint} because RequireHttps is off. Never do this outside development.")]
    public static partial void InsecureTokenEndpoint(ILogger logger, string clientName, Uri endpoint);

    [LoggerMessage(114, LogLevel.Information, "Client '{ClientName}' found token endpoint {TokenEndpoint} through discovery.")]
    public static partial void DiscoveredTokenEndpoint(ILogger logger, string clientName, Uri tokenEndpoint);

    [LoggerMessage(115, LogLevel.Information, "The token endpoint asked client '{ClientName}' for a DPoP nonce; asking once more with it.")]
    public static partial void TokenRequestDpopNonce(ILogger logger, string clientName);

    [LoggerMessage(119, LogLevel.Warning, "Client '{ClientName}': the discovery document's {Endpoint} is not on the authority's HTTPS origin; it is not used.")]
    public static partial void OptionalEndpointIgnored(ILogger logger, string clientName, string endpoint);

    [LoggerMessage(120, LogLevel.Debug, "Client '{ClientName}' could not get a token from {Endpoint} for now (status {StatusCode}); the grant tries again.")]
    public static partial void TokenRequestFailedTransiently(ILogger logger, string clientName, Uri endpoint, int? statusCode);

    [LoggerMessage(118, LogLevel.Debug, "Client '{ClientName}' was answered '{Error}', which the grant expects (a device sign-in still waiting).")]
    public static partial void TokenRequestAnswered(ILogger logger, string clientName, string error);

    [LoggerMessage(117, LogLevel.Debug, "The HttpClient '{HttpClientName}' carries token requests: {Count} resilience handler(s) from its defaults are left out, since token requests retry on their own with a fresh assertion and proof per attempt.")]
    public static partial void BackchannelResilienceLeftOut(ILogger logger, string httpClientName, int count);

    [LoggerMessage(116, LogLevel.Warning, "Client '{ClientName}' could not revoke a token at {Endpoint}: status {StatusCode}, error '{Error}'.")]
    public static partial void RevocationFailed(ILogger logger, string clientName, Uri endpoint, int? statusCode, string? error);

    [LoggerMessage(200, LogLevel.Warning, "Client '{ClientName}' did not attach its token to a request for {Origin}: that origin is not one of its API origins.")]
    public static partial void ForeignOrigin(ILogger logger, string clientName, string origin);

    [LoggerMessage(201, LogLevel.Warning, "Client '{ClientName}' did not attach its token to a plain-HTTP request for {Origin}: tokens go over HTTPS, or HTTP only to loopback.")]
    public static partial void InsecureApiRequest(ILogger logger, string clientName, string origin);

    [LoggerMessage(202, LogLevel.Information, "The API answered 401 to client '{ClientName}'; retrying once with a new token.")]
    public static partial void RetryingAfterUnauthorized(ILogger logger, string clientName);

    [LoggerMessage(205, LogLevel.Information, "The API answered 401 to client '{ClientName}' for a request whose body cannot be sent twice; the token was dropped and the 401 returned.")]
    public static partial void RejectedTokenNotRetried(ILogger logger, string clientName);

    [LoggerMessage(203, LogLevel.Information, "The API asked client '{ClientName}' for a DPoP nonce; retrying once with a new proof.")]
    public static partial void ApiDpopNonce(ILogger logger, string clientName);

    [LoggerMessage(204, LogLevel.Debug, "Client '{ClientName}' follows a redirect to {Origin} without its token and DPoP proof.")]
    public static partial void RedirectWithoutCredentials(ILogger logger, string clientName, string origin);
}
