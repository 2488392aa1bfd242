using Microsoft.Extensions.Logging;
using OAuthClient.Desktop;
using OAuthClient.Samples;
using OAuthClient.Tests.Support;
using static OAuthClient.IntegrationTests.Support.DevServerTokens;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>
/// The desktop sign-out end to end against the development server over real HTTP: the refresh token is revoked at the
/// server's revocation endpoint (RFC 7009, found through discovery), and the server refuses it afterwards.
/// </summary>
public sealed class SignOutTests : IAsyncLifetime, IDisposable
{
    private const int SignedOutEventId = 340;
    private const string StoreKey = "sign-out";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly InMemoryTokenStore _store = new();
    private readonly HttpClient _http = new();
    private DevAuthorizationServer? _server;

    public SignOutTests() => _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));

    private DevAuthorizationServer Server => _server!;

    public async Task InitializeAsync() =>
        _server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { DeviceCodeInterval = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task SignOutAsync_AfterDeviceSignIn_ServerRevokesTheRefreshTokenAndRefusesItAfterwards()
    {
        using var signIn = NewSignIn();
        await signIn.SignInWithDeviceCodeAsync((prompt, ct) => Server.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct));
        var refreshToken = (await _store.ReadAsync(StoreKey, CancellationToken.None))?.RefreshToken;
        Assert.False(string.IsNullOrEmpty(refreshToken));

        await signIn.SignOutAsync();
        var replay = await RefreshAsync(_http, Server, refreshToken!);

        Assert.Equal(1, Server.GetRevocationCount());
        var signedOut = Assert.Single(_logs.Lines, l => l.EventId.Id == SignedOutEventId);
        Assert.EndsWith("refresh token revoked: True.", signedOut.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Null(await _store.ReadAsync(StoreKey, CancellationToken.None));
    }

    [Fact]
    public async Task SignOutAsync_AfterARefresh_RevokesTheRotatedRefreshToken()
    {
        using var signIn = NewSignIn();
        await signIn.SignInWithDeviceCodeAsync((prompt, ct) => Server.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct));
        Server.RevokeIssuedAccessTokens();
        using (var api = new HttpClient(signIn.CreateHandler()) { BaseAddress = Server.ApiBaseAddress })
        {
            // The API refuses the access token: the handler refreshes, and the server rotates the refresh token.
            using var response = await api.GetAsync(new Uri("whoami", UriKind.Relative));
            response.EnsureSuccessStatusCode();
        }

        var rotated = (await _store.ReadAsync(StoreKey, CancellationToken.None))?.RefreshToken;

        await signIn.SignOutAsync();
        var replay = await RefreshAsync(_http, Server, rotated!);

        Assert.Equal(1, Server.GetRevocationCount());
        Assert.Equal("invalid_grant", replay.Error);
    }

    [Fact]
    public async Task SignOutAsync_SecondSignInAfterIt_GetsANewRefreshTokenThatWorks()
    {
        using var signIn = NewSignIn();
        await signIn.SignInWithDeviceCodeAsync((prompt, ct) => Server.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct));
        await signIn.SignOutAsync();

        await signIn.SignInWithDeviceCodeAsync((prompt, ct) => Server.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct));
        var refreshToken = (await _store.ReadAsync(StoreKey, CancellationToken.None))?.RefreshToken;
        var refresh = await RefreshAsync(_http, Server, refreshToken!);

        Assert.False(refresh.IsError, refresh.Error);
        Assert.Equal(1, Server.GetRevocationCount());
    }

    private InteractiveSignIn NewSignIn() => new(
        new InteractiveSignInOptions
        {
            Authority = Server.Issuer,
            ClientId = DevClients.InteractiveClientId,
            Scope = $"openid offline_access {DevClients.ApiReadScope}",
            ApiOrigins = { Server.ApiBaseAddress },
            StoreKey = StoreKey,
        },
        _store,
        loggerFactory: _loggers);
}
