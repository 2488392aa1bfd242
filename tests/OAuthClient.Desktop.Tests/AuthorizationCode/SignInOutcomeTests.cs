using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.AuthorizationCode;

public sealed class SignInOutcomeTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private int RedirectPort => new Uri(_fixture.Browser.LastQuery["redirect_uri"]).Port;

    [Fact]
    public async Task SignInAsync_AccessDenied_ThrowsTypedErrorWithDescriptionAndRedeemsNothing()
    {
        _fixture.Browser.Respond = q => new() { ["error"] = "access_denied", ["error_description"] = "The user said no.", ["state"] = q["state"], ["iss"] = AuthServerStub.Issuer };

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("access_denied", ex.Error);
        Assert.Equal("The user said no.", ex.ErrorDescription);
        Assert.Empty(_fixture.Server.TokenRequests);
        Assert.True(Ports.IsFree(RedirectPort));
    }

    [Fact]
    public async Task SignInAsync_IssOfAnotherServer_ThrowsInvalidIssAndRedeemsNothing()
    {
        _fixture.Browser.Respond = q => new() { ["code"] = TestBrowser.Code, ["state"] = q["state"], ["iss"] = "https://evil.example.com" };

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_iss", ex.Error);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task SignInAsync_IssMissingWhileAdvertised_ThrowsInvalidIss()
    {
        _fixture.Browser.Respond = q => new() { ["code"] = TestBrowser.Code, ["state"] = q["state"] };

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_iss", ex.Error);
        Assert.Empty(_fixture.Server.TokenRequests);
    }

    [Fact]
    public async Task SignInAsync_IssMissingAndNotAdvertised_Succeeds()
    {
        _fixture.Server.AdvertisesIssParameter = false;
        _fixture.Browser.Respond = q => new() { ["code"] = TestBrowser.Code, ["state"] = q["state"] };

        var token = await _fixture.SignIn.SignInAsync();

        Assert.Equal("access-token-1", token.AccessToken.Value);
    }

    [Fact]
    public async Task SignInAsync_ExplicitEndpointsWithIssuer_RequiresMatchingIss()
    {
        _fixture.Options.Authority = null;
        _fixture.Options.AuthorizationEndpoint = AuthServerStub.AuthorizeEndpoint;
        _fixture.Options.TokenEndpoint = AuthServerStub.TokenEndpoint;
        _fixture.Options.Issuer = "https://other.example.com";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_iss", ex.Error);
    }

    [Fact]
    public async Task SignInAsync_NoResponseBeforeTimeout_ThrowsTimeoutAndReleasesPort()
    {
        _fixture.Browser.Respond = _ => null;
        var signingIn = _fixture.SignIn.SignInAsync();
        await WaitUntilAsync(() => !_fixture.Browser.Opened.IsEmpty);

        _fixture.Time.Advance(_fixture.Options.SignInTimeout);

        await Assert.ThrowsAsync<TimeoutException>(() => signingIn.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(Ports.IsFree(RedirectPort));
    }

    [Fact]
    public async Task SignInAsync_Cancelled_ThrowsOperationCanceledAndReleasesPort()
    {
        _fixture.Browser.Respond = _ => null;
        using var cancellation = new CancellationTokenSource();
        var signingIn = _fixture.SignIn.SignInAsync(cancellation.Token);
        await WaitUntilAsync(() => !_fixture.Browser.Opened.IsEmpty);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signingIn.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(Ports.IsFree(RedirectPort));
    }

    [Fact]
    public async Task SignInAsync_FixedPort_RedirectUsesItAndReleasesIt()
    {
        var port = FreePort();
        _fixture.Options.RedirectPort = port;

        await _fixture.SignIn.SignInAsync();

        Assert.Equal(port, RedirectPort);
        Assert.True(Ports.IsFree(port));
    }

    [Fact]
    public async Task SignInAsync_FixedPortInUse_ThrowsNamingThePortWithoutOpeningTheBrowser()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        _fixture.Options.RedirectPort = port;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _fixture.SignIn.SignInAsync());

        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedirectPort", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_fixture.Browser.Opened);
    }

    [Fact]
    public async Task SignInAsync_CallbackWithoutCode_ThrowsInvalidResponseAndRedeemsNothing()
    {
        _fixture.Browser.Respond = q => new() { ["state"] = q["state"], ["iss"] = AuthServerStub.Issuer };

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_response", ex.Error);
        Assert.Empty(_fixture.Server.TokenRequests);
        Assert.True(Ports.IsFree(RedirectPort));
    }

    [Fact]
    public async Task SignInAsync_CodeRedemptionHangs_FailsAfterTokenRequestTimeout()
    {
        var never = new TaskCompletionSource();
        _fixture.Server.Gate = never.Task;
        var signingIn = _fixture.SignIn.SignInAsync();
        await WaitUntilAsync(() => _fixture.Server.TokenRequests.Count > 0);

        _fixture.Time.Advance(_fixture.Options.TokenRequestTimeout);

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => signingIn.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("TokenRequestTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal(AuthServerStub.TokenEndpoint, ex.Endpoint);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
