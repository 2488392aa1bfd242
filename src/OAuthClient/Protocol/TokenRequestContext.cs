namespace OAuthClient;

/// <summary>What <see cref="TokenClient"/> needs to know about one client besides the request itself.</summary>
/// <remarks><see cref="RequestedScope"/> stands in for the granted scope when the response leaves it out (RFC 6749 §5.1).
/// With <see cref="DpopBound"/> the request carried a DPoP proof, and only a DPoP token is accepted (RFC 9449 §5).</remarks>
internal sealed record TokenRequestContext(
    string ClientName,
    Uri Endpoint,
    TimeSpan RefreshBeforeExpiry,
    TimeSpan DefaultLifetime,
    int Retries,
    TimeSpan RetryDelay,
    string? RequestedScope = null,
    bool DpopBound = false);
