namespace OAuthClient;

/// <summary>Settings of the shared token cache of one client, named after the client.</summary>
/// <remarks>Holds only what configuration can express, so it binds under Native AOT; a data protector of the client's own is
/// set in code with <c>UseDistributedTokenCacheProtector</c>.</remarks>
public sealed class DistributedTokenCacheOptions
{
    /// <summary>Gets or sets the text put before every key this client writes to the shared cache and to Redis.</summary>
    /// <remarks>Default <c>OAuthClient:token:v1:</c>. The rest of the key is a SHA-256 hash of the client's settings.</remarks>
    public string KeyPrefix { get; set; } = DistributedTokenCacheDefaults.KeyPrefix;

    /// <summary>Gets or sets how long one call to the shared cache or to Redis may take before it counts as a failure.</summary>
    /// <remarks>Default 1 second. A failed call is a cache miss: the token comes from the token endpoint instead.</remarks>
    public TimeSpan OperationTimeout { get; set; } = DistributedTokenCacheDefaults.OperationTimeout;

    /// <summary>Gets or sets how long the cross-instance lock of a token request lives unless released first.</summary>
    /// <remarks>
    /// Default 10 seconds. If the instance that holds it stops, another takes over once it expires. Never shorter than the
    /// holder's whole fetch: it is raised to the client's <c>TokenRequestTimeout</c> plus twice <see cref="OperationTimeout"/>
    /// when shorter, so a slow but alive holder keeps it.
    /// </remarks>
    public TimeSpan LockExpiry { get; set; } = DistributedTokenCacheDefaults.LockExpiry;

    /// <summary>Gets or sets the longest an instance waits for another instance's token before it asks the token endpoint itself.</summary>
    /// <remarks>Default 15 seconds: longer than <see cref="LockExpiry"/>, so a lock whose holder died is taken over first.</remarks>
    public TimeSpan LockWaitTimeout { get; set; } = DistributedTokenCacheDefaults.LockWaitTimeout;
}
