using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Tokens;

/// <summary>
/// Renewal under load, through the public provider. With the defaults a 300 s token is due for renewal at
/// 240 s and expires at 300 s; a failed background refresh waits 30 s before the next.
/// </summary>
public sealed partial class TokenCacheTests : IDisposable
{
    private const int RefreshedEvent = 104;
    private const int RefreshFailedEvent = 105;
    private static readonly TimeSpan RefreshAt = TimeSpan.FromSeconds(240);

    private readonly TestServices _services = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _services.Dispose();

    private IClientCredentialsTokenProvider Tokens => _services.TokenProvider;

    [Fact]
    public async Task GetTokenAsync_InRefreshWindow_ServesOldTokenAndRefreshesOnceInBackground()
    {
        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);

        // The endpoint holds every answer back: a caller who waited for it could not complete.
        var during = Enumerable.Range(0, 5).Select(_ => Tokens.GetTokenAsync(TestServices.ClientName)).ToArray();
        _release.SetResult();
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var after = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.All(during, pending => Assert.True(pending.IsCompletedSuccessfully));
        Assert.All(during, pending => Assert.Same(first, pending.Result));
        Assert.Equal("access-token-2", after.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_BackgroundRefreshFails_ServesOldTokenAndRetriesOnlyAfterBackOff()
    {
        _services.Configure = o => o.TokenRequestRetries = 0;
        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _services.Time.Advance(RefreshAt);
        var whenFailing = await Tokens.GetTokenAsync(TestServices.ClientName);
        await _services.Logs.WaitForEventAsync(RefreshFailedEvent);

        _services.Time.Advance(TimeSpan.FromSeconds(29));
        var inBackOff = await Tokens.GetTokenAsync(TestServices.ClientName);
        var requestsInBackOff = _services.TokenEndpoint.RequestCount;
        _services.Time.Advance(TimeSpan.FromSeconds(1));
        var afterBackOff = await Tokens.GetTokenAsync(TestServices.ClientName);
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var refreshed = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Same(first, whenFailing);
        Assert.Same(first, inBackOff);
        Assert.Same(first, afterBackOff);
        Assert.Equal(2, requestsInBackOff);
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
        Assert.Equal("access-token-2", refreshed.Value);
    }

    [Fact]
    public async Task GetTokenAsync_BackgroundRefreshFails_LogsWarningWithoutSecrets()
    {
        _services.Configure = o => o.TokenRequestRetries = 0;
        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _services.Time.Advance(RefreshAt);

        await Tokens.GetTokenAsync(TestServices.ClientName);
        await _services.Logs.WaitForEventAsync(RefreshFailedEvent);

        var line = Assert.Single(_services.Logs.Lines, l => l.EventId.Id == RefreshFailedEvent);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, line.Level);
        Assert.Contains(TestServices.ClientName, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first.Value, line.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestServices.ClientSecret, line.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_SystemClock_SecondCallServedFromCache()
    {
        // The system clock takes the tick-count fast path; every other test runs on the fake clock.
        _services.ConfigureServices = s => s.AddSingleton(TimeProvider.System);

        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        var second = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Same(first, second);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_PastExpiry_CallerWaitsForNewToken()
    {
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(TimeSpan.FromSeconds(300));

        var pending = Tokens.GetTokenAsync(TestServices.ClientName);
        var waited = !pending.IsCompleted;
        _release.SetResult();
        var token = await pending;

        Assert.True(waited);
        Assert.Equal("access-token-2", token.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ExpiresWhileBackgroundRefreshRuns_CallersJoinItWithoutNewRequest()
    {
        // The refresh is held for the 60 s the test moves the clock: within its deadline, which is enforced.
        _services.Configure = o => o.TokenRequestTimeout = TimeSpan.FromMinutes(5);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Time.Advance(TimeSpan.FromSeconds(60));
        var waiting = Enumerable.Range(0, 10).Select(_ => Tokens.GetTokenAsync(TestServices.ClientName).AsTask()).ToArray();
        _release.SetResult();
        var tokens = await Task.WhenAll(waiting);

        Assert.All(tokens, t => Assert.Equal("access-token-2", t.Value));
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }
}
