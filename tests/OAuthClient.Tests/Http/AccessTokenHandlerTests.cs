using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Http;

public sealed partial class AccessTokenHandlerTests : IDisposable
{
    private readonly TestServices _services = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task SendAsync_FirstCall_FetchesTokenAndAttachesIt()
    {
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders/1");

        response.EnsureSuccessStatusCode();
        var call = Assert.Single(_services.Api.Calls);
        Assert.Equal("Bearer", call.Scheme);
        Assert.Equal("access-token-1", call.Token);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_SecondCall_ServedFromCache()
    {
        using var client = _services.CreateClient();

        (await client.GetAsync("orders/1")).Dispose();
        (await client.GetAsync("orders/2")).Dispose();

        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
        Assert.All(_services.Api.Calls, call => Assert.Equal("access-token-1", call.Token));
    }

    [Fact]
    public async Task SendAsync_BeforeRefreshMargin_KeepsToken()
    {
        _services.Configure = o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(60);
        using var client = _services.CreateClient();
        (await client.GetAsync("orders")).Dispose();

        _services.Time.Advance(TimeSpan.FromSeconds(239));
        (await client.GetAsync("orders")).Dispose();

        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_InsideRefreshMargin_SendsCurrentTokenAndRefreshesInBackground()
    {
        _services.Configure = o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(60);
        using var client = _services.CreateClient();
        (await client.GetAsync("orders")).Dispose();

        _services.Time.Advance(TimeSpan.FromSeconds(240));
        (await client.GetAsync("orders")).Dispose();
        await _services.Logs.WaitForEventAsync(104);
        (await client.GetAsync("orders")).Dispose();

        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
        Assert.Equal(["access-token-1", "access-token-1", "access-token-2"], _services.Api.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task SendAsync_MarginLongerThanLifetime_ClampedToQuarterOfLifetime()
    {
        _services.TokenEndpoint.ExpiresIn = 40;
        _services.Configure = o => o.RefreshBeforeExpiry = TimeSpan.FromMinutes(5);
        using var client = _services.CreateClient();
        (await client.GetAsync("orders")).Dispose();

        _services.Time.Advance(TimeSpan.FromSeconds(29));
        (await client.GetAsync("orders")).Dispose();
        var afterTwentyNineSeconds = _services.TokenEndpoint.RequestCount;
        _services.Time.Advance(TimeSpan.FromSeconds(1));
        (await client.GetAsync("orders")).Dispose();
        await _services.Logs.WaitForEventAsync(104);

        Assert.Equal(1, afterTwentyNineSeconds);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_NoExpiresIn_UsesDefaultLifetime()
    {
        _services.TokenEndpoint.ExpiresIn = null;
        _services.Configure = o =>
        {
            o.DefaultTokenLifetime = TimeSpan.FromMinutes(10);
            o.RefreshBeforeExpiry = TimeSpan.Zero;
        };
        using var client = _services.CreateClient();
        (await client.GetAsync("orders")).Dispose();

        _services.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        (await client.GetAsync("orders")).Dispose();
        var beforeDefaultRanOut = _services.TokenEndpoint.RequestCount;
        _services.Time.Advance(TimeSpan.FromSeconds(1));
        (await client.GetAsync("orders")).Dispose();

        Assert.Equal(1, beforeDefaultRanOut);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_ThousandConcurrentColdCalls_SendsOneTokenRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _services.TokenEndpoint.Gate = release.Task;
        using var client = _services.CreateClient();

        var calls = Enumerable.Range(0, 1000).Select(i => client.GetAsync($"orders/{i}")).ToArray();
        release.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.All(_services.Api.Calls, call => Assert.Equal("access-token-1", call.Token));
        Assert.Equal(1000, _services.Api.Calls.Count);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileTokenInFlight_OtherCallersStillGetToken()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _services.TokenEndpoint.Gate = release.Task;
        using var client = _services.CreateClient();
        using var impatient = new CancellationTokenSource();

        var cancelled = client.GetAsync("orders/1", impatient.Token);
        var patient = client.GetAsync("orders/2");
        await impatient.CancelAsync();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        using var response = await patient;
        response.EnsureSuccessStatusCode();
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
        Assert.Equal("access-token-1", Assert.Single(_services.Api.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_TokenRequestHangs_FailsAfterTokenRequestTimeout()
    {
        _services.TokenEndpoint.Gate = new TaskCompletionSource().Task;
        _services.Configure = o => o.TokenRequestTimeout = TimeSpan.FromSeconds(5);
        using var client = _services.CreateClient();

        var call = client.GetAsync("orders");
        while (_services.TokenEndpoint.RequestCount == 0)
        {
            await Task.Yield();
        }

        _services.Time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => call);
        Assert.Contains("TokenRequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(TestServices.ClientName, error.ClientName);
        Assert.Empty(_services.Api.Calls);
    }
}
