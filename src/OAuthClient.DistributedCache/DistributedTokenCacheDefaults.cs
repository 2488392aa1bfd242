namespace OAuthClient;

/// <summary>The defaults of <see cref="DistributedTokenCacheOptions"/> and of the waits between lock attempts, in one place.</summary>
internal static class DistributedTokenCacheDefaults
{
    /// <summary>The key prefix; the version changes whenever the stored format does.</summary>
    public const string KeyPrefix = "OAuthClient:token:v1:";

    /// <summary>The purpose of the protector made from the <c>IDataProtectionProvider</c> in DI; each key adds its own.</summary>
    public const string ProtectorPurpose = "OAuthClient.DistributedTokenCache.v1";

    /// <summary>The suffix, before a token's hash, of the key that marks that token as rejected by the API.</summary>
    public const string RejectedSuffix = ":rejected:";

    /// <summary>The suffix of a token's lock key in Redis.</summary>
    public const string LockSuffix = ":lock";

    /// <summary>How long one shared-cache or Redis call may take.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long a lock lives unless released.</summary>
    public static readonly TimeSpan LockExpiry = TimeSpan.FromSeconds(10);

    /// <summary>How long an instance waits for another's token.</summary>
    public static readonly TimeSpan LockWaitTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The first pause between two looks at the shared entry while another instance holds the lock.</summary>
    public static readonly TimeSpan FirstPollDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest pause between two looks; the pause doubles up to it.</summary>
    public static readonly TimeSpan MaxPollDelay = TimeSpan.FromMilliseconds(250);
}
