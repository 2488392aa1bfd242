using System.Text;

namespace OAuthClient.Desktop.Tests.TokenStore;

public sealed class FileTokenStoreTests : IDisposable
{
    private const string Key = "https://login.example.com/ desktop-app openid offline_access";
    private const string RefreshToken = "refresh-token-secret-71c3";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "oauthclient-tests-" + Guid.NewGuid().ToString("N"), "tokens");

    private static StoredTokens Tokens(string refreshToken = RefreshToken) => new()
    {
        RefreshToken = refreshToken,
        AccessToken = "access-token-secret-9a0b",
        TokenType = "Bearer",
        AccessTokenExpiresAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
        Scope = "openid offline_access",
    };

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_directory)))
        {
            Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);
        }
    }

    private FileTokenStore Store(bool plaintext = false) => new(new FileTokenStoreOptions { Directory = _directory, StorePlaintext = plaintext });

    private string TokenFile() => Assert.Single(Directory.GetFiles(_directory));

    [Fact]
    public async Task Constructor_AndReadingNothing_LeaveNothingOnDisk()
    {
        // A sign-in made and never used (or asked for a token before any sign-in) must not create folders or a key ring.
        var store = Store();

        var read = await store.ReadAsync(Key, CancellationToken.None);

        Assert.Null(read);
        Assert.False(Directory.Exists(_directory));
        Assert.False(Directory.Exists(Path.GetDirectoryName(_directory)));
    }

    [Fact]
    public async Task InteractiveSignIn_ConstructedWithAFileStore_NoFolderUntilTokensAreStored()
    {
        using var signIn = new InteractiveSignIn(
            new InteractiveSignInOptions { Authority = new Uri("https://login.example.com/"), ClientId = "desktop-app" },
            tokenStore: Store());

        await Assert.ThrowsAsync<SignInRequiredException>(() => signIn.GetAccessTokenAsync().AsTask());

        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task WriteAsync_ThenReadAsyncFromANewInstance_ReturnsTheTokensAcrossRuns()
    {
        await Store().WriteAsync(Key, Tokens(), CancellationToken.None);

        var read = await Store().ReadAsync(Key, CancellationToken.None);

        Assert.Equal(RefreshToken, read?.RefreshToken);
        Assert.Equal(Tokens().AccessTokenExpiresAt, read?.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task WriteAsync_OnUnix_FileIs0600AndFoldersAre0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await Store().WriteAsync(Key, Tokens(), CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenFile()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_directory, "keys")));
    }

    [Fact]
    public async Task WriteAsync_Default_FileHoldsNoTokenInPlaintext()
    {
        await Store().WriteAsync(Key, Tokens(), CancellationToken.None);

        var content = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(TokenFile()));
        Assert.DoesNotContain(RefreshToken, content, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token-secret", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_PlaintextOptIn_WritesJson()
    {
        await Store(plaintext: true).WriteAsync(Key, Tokens(), CancellationToken.None);

        Assert.Contains(RefreshToken, await File.ReadAllTextAsync(TokenFile()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesInOneFileAndLeavesNoTemporaryFile()
    {
        var store = Store();
        await store.WriteAsync(Key, Tokens("first"), CancellationToken.None);

        await store.WriteAsync(Key, Tokens("second"), CancellationToken.None);

        Assert.Equal("second", (await store.ReadAsync(Key, CancellationToken.None))?.RefreshToken);
        Assert.DoesNotContain(Directory.GetFiles(_directory), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        TokenFile();
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_FileAlwaysHoldsOneWholeWrite()
    {
        var store = Store();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => store.WriteAsync(Key, Tokens($"rt-{i}"), CancellationToken.None))));

        Assert.StartsWith("rt-", (await store.ReadAsync(Key, CancellationToken.None))?.RefreshToken, StringComparison.Ordinal);
        TokenFile();
    }

    [Fact]
    public async Task ReadAsync_TamperedFile_ReturnsNull()
    {
        await Store().WriteAsync(Key, Tokens(), CancellationToken.None);
        var file = TokenFile();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(file, bytes);

        Assert.Null(await Store().ReadAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task RemoveAsync_DeletesTheFile()
    {
        var store = Store();
        await store.WriteAsync(Key, Tokens(), CancellationToken.None);

        await store.RemoveAsync(Key, CancellationToken.None);

        Assert.Null(await store.ReadAsync(Key, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void ToString_StoredTokens_RedactsTokens()
    {
        var text = Tokens().ToString();

        Assert.DoesNotContain(RefreshToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token-secret", text, StringComparison.Ordinal);
    }
}
