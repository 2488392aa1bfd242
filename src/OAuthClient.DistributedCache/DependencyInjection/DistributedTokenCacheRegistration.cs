namespace OAuthClient;

/// <summary>Marks a client that shares its tokens; one per <c>UseDistributedTokenCache</c> call.</summary>
internal sealed record DistributedTokenCacheRegistration(string ClientName);
