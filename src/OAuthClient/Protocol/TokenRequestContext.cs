namespace OAuthClient;

/// <summary>What <see cref="TokenClient"/> needs to know about one client besides the request itself.</summary>
internal sealed record TokenRequestContext(
    string ClientName,
    Uri Endpoint,
    TimeSpan RefreshBeforeExpiry,
    TimeSpan DefaultLifetime,
    int Retries,
    TimeSpan RetryDelay);
