namespace OAuthClient.Desktop;

/// <summary>The defaults of <see cref="FileTokenStoreOptions"/>, in one place.</summary>
internal static class FileTokenStoreDefaults
{
    /// <summary>How long a refresh waits for another process that holds the token file's lock.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
}
