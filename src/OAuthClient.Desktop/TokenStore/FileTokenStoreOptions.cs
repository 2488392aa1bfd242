using Microsoft.AspNetCore.DataProtection;

namespace OAuthClient.Desktop;

/// <summary>Configures where <see cref="FileTokenStore"/> keeps tokens and how it protects them.</summary>
public sealed class FileTokenStoreOptions
{
    /// <summary>Gets or sets the directory of the token files.</summary>
    /// <remarks>Defaults to <c>OAuthClient/tokens</c> under the user's local application data folder
    /// (<c>%LOCALAPPDATA%</c> on Windows, <c>~/.local/share</c> on Linux, <c>~/Library/Application Support</c> on macOS).</remarks>
    public string? Directory { get; set; }

    /// <summary>Gets or sets the protector of the token files.</summary>
    /// <remarks>Defaults to ASP.NET Core Data Protection with its key ring in a <c>keys</c> folder beside the tokens,
    /// the keys encrypted with DPAPI on Windows.</remarks>
    public IDataProtectionProvider? DataProtectionProvider { get; set; }

    /// <summary>Gets or sets a value indicating whether tokens are written as plain JSON, unencrypted.</summary>
    /// <remarks>Defaults to <see langword="false"/>. Only for machines where file permissions are the whole defence and
    /// Data Protection is unavailable: anyone who can read the file can use the refresh token.</remarks>
    public bool StorePlaintext { get; set; }

    /// <summary>Gets or sets how long a refresh waits for the lock that another process of the app holds while it refreshes the same tokens.</summary>
    /// <remarks>Defaults to 10 seconds. Refreshes of one key take a lock file beside the token file, so processes sharing the
    /// folder spend a rotating refresh token once; when the wait runs out, <see cref="TokenStoreLockTimeoutException"/> is thrown.</remarks>
    public TimeSpan LockTimeout { get; set; } = FileTokenStoreDefaults.LockTimeout;
}
