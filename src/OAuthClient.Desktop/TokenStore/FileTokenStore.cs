using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OAuthClient.Desktop;

/// <summary>Keeps refresh tokens across runs in files in the user's profile, owner-only and encrypted at rest.</summary>
/// <remarks>
/// <para>Each key gets one file, named by a hash of the key. A write goes to a new temporary file, created
/// owner-only (mode 0600 on Unix; the folders 0700 when the store creates them), which then replaces the
/// old file in one rename: a crash leaves the old tokens or the new ones, never half a file.</para>
/// <para>Processes that share the folder refresh one at a time: a refresh holds an operating-system lock on
/// <c>&lt;token file&gt;.lock</c> (owner-only, empty, never deleted) while it re-reads, refreshes and writes, and
/// the lock ends with the process. A process that finds the lock taken waits up to
/// <see cref="FileTokenStoreOptions.LockTimeout"/> and then uses the tokens the other one stored.</para>
/// <para>Threat model. The file content is encrypted with ASP.NET Core Data Protection. On Windows its key
/// ring is encrypted with DPAPI for the current user, so a copied token file or profile backup is useless
/// on another account or machine. On Linux and macOS the key ring is stored unencrypted beside the tokens,
/// protected only by the same owner-only permissions: encryption there keeps tokens out of casual reads,
/// search indexes and backups that take the token files without the keys, not away from someone who can
/// read the whole folder. Nothing here protects against malware or another program running as the same
/// user, or against an administrator: either can read the files, or drive the app itself. Revoke the
/// refresh token (sign out) when a device is lost. <see cref="FileTokenStoreOptions.StorePlaintext"/> drops
/// the encryption and keeps only the file permissions.</para>
/// </remarks>
public sealed partial class FileTokenStore : ITokenStore
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // Made on first use, not in the constructor: a sign-in that is constructed and never stores tokens leaves nothing on
    // disk (no folder, no key ring). Null for plaintext.
    private readonly Lazy<IDataProtector>? _protector;
    private readonly ILogger _logger;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Initializes a new instance of the <see cref="FileTokenStore"/> class.</summary>
    /// <param name="options">Where and how tokens are kept; the defaults when omitted.</param>
    /// <param name="loggerFactory">Where log lines go; nowhere when omitted.</param>
    /// <exception cref="InvalidOperationException">No directory is set and the user has no local application data folder.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FileTokenStoreOptions.LockTimeout"/> is negative.</exception>
    public FileTokenStore(FileTokenStoreOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new FileTokenStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LockTimeout, TimeSpan.Zero, nameof(options));
        _lockTimeout = options.LockTimeout;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FileTokenStore>();
        Directory = options.Directory ?? DefaultDirectory();
        if (!options.StorePlaintext)
        {
            var directory = Directory;
            var supplied = options.DataProtectionProvider;
            _protector = new Lazy<IDataProtector>(() =>
            {
                CreateDirectory(directory);
                var provider = supplied ?? DefaultProtection(Path.Combine(directory, "keys"));
                return provider.CreateProtector("OAuthClient.Desktop.FileTokenStore", "v1");
            });
        }
    }

    /// <summary>Gets the directory that holds the token files.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public async Task<StoredTokens?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var json = _protector is null ? content : _protector.Value.Unprotect(content);
            return JsonSerializer.Deserialize(json, StoredTokensJson.Default.StoredTokens);
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            Log.StoredTokensUnreadable(_logger, path, ex);
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string key, StoredTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        CreateDirectory(Directory);
        var json = JsonSerializer.SerializeToUtf8Bytes(tokens, StoredTokensJson.Default.StoredTokens);
        var content = _protector is null ? json : _protector.Value.Protect(json);
        var path = PathOf(key);
        var temporary = Path.Combine(Directory, $".{Path.GetFileName(path)}.{Pkce.RandomValue(6)}.tmp");
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Owner-only from the first byte: setting the mode after creation would leave a window.
                create.UnixCreateMode = OwnerOnlyFile;
            }

            var stream = new FileStream(temporary, create);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
        return Path.Combine(Directory, name + (_protector is null ? ".json" : ".tokens"));
    }

    private static string DefaultDirectory()
    {
        var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(root))
        {
            throw new InvalidOperationException("The user has no local application data folder; set FileTokenStoreOptions.Directory.");
        }

        return Path.Combine(root, "OAuthClient", "tokens");
    }

    private static IDataProtectionProvider DefaultProtection(string keys)
    {
        CreateDirectory(keys);
        var builder = new ServiceCollection().AddDataProtection()
            .SetApplicationName("OAuthClient.Desktop")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        if (OperatingSystem.IsWindows())
        {
            builder.ProtectKeysWithDpapi();
        }

        return builder.Services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }
}
