namespace OAuthClient;

/// <summary>The defaults of <see cref="ClientAssertionOptions"/>, in one place.</summary>
internal static class ClientAssertionDefaults
{
    /// <summary>How long a client assertion is valid after it is made.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>The longest client assertion lifetime accepted.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);
}
