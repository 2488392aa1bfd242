using System.Net;
using Microsoft.Extensions.Logging;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>
/// The device authorization grant (RFC 8628) on MockHttp and a fake clock: every polling answer, slow_down backing off, expiry,
/// cancellation mid-poll, a server without the endpoint, and the tokens landing where a browser sign-in puts them.
/// </summary>
public sealed class DeviceCodeTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly List<DeviceCodePrompt> _prompts = [];

    public DeviceCodeTests() => _fixture.Server.Clock = _fixture.Time;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInWithDeviceCodeAsync_PendingTwiceThenApproved_StoresTokensAndPollsAtTheInterval()
    {
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        var before = _fixture.Time.GetUtcNow();

        var token = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("access-token-1", token.AccessToken.Value);
        var prompt = Assert.Single(_prompts);
        Assert.Equal("WDJB-MJHT", prompt.UserCode);
        Assert.Equal(AuthServerStub.VerificationUri, prompt.VerificationUri);
        Assert.Equal(new Uri(AuthServerStub.VerificationUri + "?user_code=WDJB-MJHT"), prompt.VerificationUriComplete);
        // expires_in from when the answer came: the clock may have stepped while the device request was on its way.
        Assert.InRange(prompt.ExpiresAt - before, TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(603));
        var started = prompt.ExpiresAt.AddSeconds(-600);
        var device = Assert.Single(_fixture.Server.DeviceRequests);
        Assert.Equal(SignInFixture.ClientId, device["client_id"]);
        Assert.Equal("openid offline_access api", device["scope"]);
        Assert.All(_fixture.Server.TokenRequests, r => Assert.Equal("device-code-secret-1", r["device_code"]));
        // Polled every 5 s from the start, the first poll included (RFC 8628 §3.5).
        _fixture.AssertPolledAt(started, 5, 10, 15);

        // The tokens are the sign-in's now: stored, refreshed as usual, served without another request.
        Assert.Equal("access-token-1", (await _fixture.SignIn.GetAccessTokenAsync()).Value);
        Assert.Equal("refresh-token-1", (await _fixture.Store.ReadAsync(_fixture.StoreKey, CancellationToken.None))?.RefreshToken);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_SlowDown_WaitsFiveSecondsLongerFromThenOn()
    {
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        _fixture.Server.DeviceAnswers.Enqueue("slow_down");
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");

        await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        var started = Assert.Single(_prompts).ExpiresAt.AddSeconds(-600);
        _fixture.AssertPolledAt(started, 5, 10, 20, 30);
    }

    [Theory]
    [InlineData("access_denied")]
    [InlineData("expired_token")]
    public async Task SignInWithDeviceCodeAsync_DeclinedOrExpiredAtTheServer_AuthorizationFailedAndNothingStored(string error)
    {
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        _fixture.Server.DeviceAnswers.Enqueue(error);

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal(error, ex.Error);
        Assert.Equal(2, _fixture.Server.DevicePolls.Count);
        Assert.Null(await _fixture.Store.ReadAsync(_fixture.StoreKey, CancellationToken.None));
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_CodeExpiresWhileWaiting_ExpiredTokenWithoutPollingPastIt()
    {
        _fixture.Server.DeviceExpiresIn = 12;
        for (var i = 0; i < 10; i++)
        {
            _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        }

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal("expired_token", ex.Error);
        Assert.Equal(2, _fixture.Server.DevicePolls.Count);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_CancelledWhileWaiting_StopsAtOnce()
    {
        for (var i = 0; i < 10; i++)
        {
            _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        }

        using var cancel = new CancellationTokenSource();
        var signIn = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, cancel.Token);
        await _fixture.AdvanceUntilAsync(signIn, () => _fixture.Server.DevicePolls.Count == 2);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signIn);
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, _fixture.Server.DevicePolls.Count);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ServerWithoutDeviceEndpoint_SaysSoBeforePrompting()
    {
        _fixture.Server.AdvertisesDeviceEndpoint = false;

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Contains("device_authorization_endpoint", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_DeviceAuthorizationRefused_TypedError()
    {
        _fixture.Server.DeviceAuthorizationAnswer = AuthServerStub.Json(HttpStatusCode.BadRequest, """{"error":"unauthorized_client","error_description":"no device flow"}""");

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("unauthorized_client", ex.Error);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Empty(_prompts);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    public async Task SignInWithDeviceCodeAsync_VerificationUriNotAWebAddress_RefusedNotShown(string uri)
    {
        _fixture.Server.DeviceAuthorizationAnswer = AuthServerStub.Json(HttpStatusCode.OK,
            $$"""{"device_code":"d","user_code":"U","verification_uri":"{{uri}}","expires_in":600}""");

        await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_WaitingPolls_NoErrorLoggedAndNoDeviceCode()
    {
        _fixture.Server.DeviceAnswers.Enqueue("authorization_pending");
        _fixture.Server.DeviceAnswers.Enqueue("slow_down");

        await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.DoesNotContain(_fixture.Logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.All(_fixture.Logs.Lines, l => Assert.DoesNotContain("device-code-secret", l.Message, StringComparison.Ordinal));
    }

    private Task Prompt(DeviceCodePrompt prompt, CancellationToken cancellationToken)
    {
        _prompts.Add(prompt);
        return Task.CompletedTask;
    }
}
