using System.Net;
using Microsoft.Extensions.Logging;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>
/// Polls that fail on the way (RFC 8628 §3.5): a server that is down, busy, slow or unreachable for a while backs the polling
/// off without losing the user's approval; a failure that will not pass by itself ends the sign-in at once; expiry and
/// cancellation still end it.
/// </summary>
public sealed class DeviceCodeTransientFailureTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private DateTimeOffset _started;
    private DateTimeOffset _expiresAt;

    public DeviceCodeTransientFailureTests() => _fixture.Server.Clock = _fixture.Time;

    public void Dispose() => _fixture.Dispose();

    private AuthServerStub Server => _fixture.Server;

    // Seconds from the prompt, after which polling starts: the clock may have moved while the device request was on its way.
    private void AssertPolledAt(params int[] expected) => _fixture.AssertPolledAt(_started, expected);

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ServiceUnavailableThenApproved_SignsInAfterWaitingTwiceTheInterval()
    {
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.ServiceUnavailable));

        var result = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("access-token-1", result.AccessToken.Value);
        AssertPolledAt(5, 15);
        Assert.Equal("refresh-token-1", (await _fixture.StoredAsync())?.RefreshToken);
        var warning = Assert.Single(_fixture.Logs.Lines, l => l.EventId.Id == 362);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("HTTP 503", warning.Message, StringComparison.Ordinal);
        Assert.All(_fixture.Logs.Lines, l => Assert.DoesNotContain("device-code-secret", l.ToString(), StringComparison.Ordinal));

        // A failure the sign-in outlives is the sign-in's warning, not the token endpoint's error.
        Assert.DoesNotContain(_fixture.Logs.Lines, l => l.Level >= LogLevel.Error);
        Assert.Single(_fixture.Logs.Lines, l => l.EventId.Id == 120);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ServerErrorsUntilExpiry_ExpiredTokenWithTheLastFailureAndFewPolls()
    {
        Server.DeviceExpiresIn = 120;
        for (var i = 0; i < 100; i++)
        {
            Server.DeviceReplies.Enqueue(Status(HttpStatusCode.InternalServerError));
        }

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal("expired_token", ex.Error);
        Assert.Equal(HttpStatusCode.InternalServerError, Assert.IsType<TokenRequestException>(ex.InnerException).StatusCode);
        Assert.Contains("HTTP 500", ex.Message, StringComparison.Ordinal);
        // Waits of 10, 20 and 40 s, then the 60 s cap cut to the 45 s left: the last wait ends at expiry, with no poll past it.
        AssertPolledAt(5, 15, 35, 75);
        Assert.InRange(_fixture.Time.GetUtcNow() - _expiresAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Null(await _fixture.StoredAsync());
    }

    [Theory]
    [InlineData(-1, 15)]  // no Retry-After: twice the interval
    [InlineData(20, 25)]  // the server's wait
    [InlineData(2, 10)]   // never sooner than the interval
    [InlineData(600, 65)] // a minute at most
    public async Task SignInWithDeviceCodeAsync_TooManyRequests_WaitsAsTheServerAsksWithinBounds(int retryAfterSeconds, int secondPollAt)
    {
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.TooManyRequests, retryAfterSeconds < 0 ? null : TimeSpan.FromSeconds(retryAfterSeconds)));

        var result = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("access-token-1", result.AccessToken.Value);
        AssertPolledAt(5, secondPollAt);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_PollWithoutAnswer_EndsAtTokenRequestTimeoutAndPollsAgainLater()
    {
        Server.DeviceReplies.Enqueue(() => new TaskCompletionSource<HttpResponseMessage?>().Task);

        var result = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("access-token-1", result.AccessToken.Value);
        // The first poll gives up at 5 + 30 s (TokenRequestTimeout), then waits twice the interval.
        AssertPolledAt(5, 45);
        Assert.Contains(_fixture.Logs.Lines, l => l.EventId.Id == 362 && l.Message.Contains("no answer within TokenRequestTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_ConnectionRefused_BacksOffAndSignsIn()
    {
        Server.DeviceReplies.Enqueue(() => Task.FromException<HttpResponseMessage?>(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")));
        Server.DeviceReplies.Enqueue(() => Task.FromException<HttpResponseMessage?>(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")));

        var result = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        Assert.Equal("access-token-1", result.AccessToken.Value);
        AssertPolledAt(5, 15, 35);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_RecoveredServer_PollsAtTheIntervalAgain()
    {
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.BadGateway));
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.GatewayTimeout));
        Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        Server.DeviceReplies.Enqueue(Error("authorization_pending"));

        await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        AssertPolledAt(5, 15, 35, 40, 45);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_SlowDownThenServerError_BacksOffFromTheSlowerIntervalAndKeepsIt()
    {
        Server.DeviceReplies.Enqueue(Error("slow_down"));
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.ServiceUnavailable));
        Server.DeviceReplies.Enqueue(Error("authorization_pending"));

        await _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt));

        // slow_down: 10 s from then on; the 503 doubles that; pending goes back to 10 s, not to the server's first 5.
        AssertPolledAt(5, 15, 35, 45);
    }

    [Theory]
    [InlineData("invalid_client")]
    [InlineData("invalid_grant")]
    [InlineData("unsupported_grant_type")]
    [InlineData("unauthorized_client")]
    public async Task SignInWithDeviceCodeAsync_OAuthErrorAfterServerError_EndsAtOnceWithThatError(string error)
    {
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.ServiceUnavailable));
        Server.DeviceReplies.Enqueue(Error(error));

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal(error, ex.Error);
        AssertPolledAt(5, 15);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_InvalidClientWithStatus401_EndsAtOnce()
    {
        Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        Server.DeviceReplies.Enqueue(() => Task.FromResult<HttpResponseMessage?>(
            AuthServerStub.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}""")));

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal("invalid_client", ex.Error);
        AssertPolledAt(5, 10);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.NotImplemented)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    public async Task SignInWithDeviceCodeAsync_FailureThatWillNotPass_EndsAtOnce(HttpStatusCode status)
    {
        Server.DeviceReplies.Enqueue(() =>
        {
            var answer = new HttpResponseMessage(status);
            answer.Headers.Location = new Uri("https://evil.example/token");
            return Task.FromResult<HttpResponseMessage?>(answer);
        });

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync(Prompt)));

        Assert.Equal(status, ex.StatusCode);
        AssertPolledAt(5);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_CancelledDuringBackOff_StopsAtOnceAndPollsNoMore()
    {
        Server.DeviceReplies.Enqueue(Status(HttpStatusCode.ServiceUnavailable));
        using var cancel = new CancellationTokenSource();
        var signIn = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, cancel.Token);
        await _fixture.AdvanceUntilAsync(signIn, () => _fixture.Logs.Lines.Any(l => l.EventId.Id == 362));

        // Past the interval, within the back-off: a sign-in that had not backed off would poll here.
        _fixture.Time.Advance(TimeSpan.FromSeconds(6));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signIn);
        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(Server.DevicePolls);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_CancelledDuringAPollWithoutAnswer_StopsAtOnce()
    {
        Server.DeviceReplies.Enqueue(() => new TaskCompletionSource<HttpResponseMessage?>().Task);
        using var cancel = new CancellationTokenSource();
        var signIn = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, cancel.Token);
        await _fixture.AdvanceUntilAsync(signIn, () => !Server.DevicePolls.IsEmpty);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signIn);
        Assert.Single(Server.DevicePolls);
    }

    private static Func<Task<HttpResponseMessage?>> Status(HttpStatusCode status, TimeSpan? retryAfter = null) => () =>
    {
        var answer = new HttpResponseMessage(status);
        if (retryAfter is { } wait)
        {
            answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        }

        return Task.FromResult<HttpResponseMessage?>(answer);
    };

    private static Func<Task<HttpResponseMessage?>> Error(string error) =>
        () => Task.FromResult<HttpResponseMessage?>(AuthServerStub.Json(HttpStatusCode.BadRequest, $$"""{"error":"{{error}}"}"""));

    private Task Prompt(DeviceCodePrompt prompt, CancellationToken cancellationToken)
    {
        (_started, _expiresAt) = (_fixture.Time.GetUtcNow(), prompt.ExpiresAt);
        return Task.CompletedTask;
    }
}
