using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Tokens;

/// <summary>
/// Renewal without traffic (<see cref="ClientCredentialsOptions.RenewInBackground"/>): a token read since it arrived is
/// renewed at its renewal time (240 s of 300) by the cache's timer; one nobody read is left to expire.
/// </summary>
public sealed partial class TokenCacheTests
{
    private const int RefreshStartedEvent = 103;

    [Fact]
    public async Task GetTokenAsync_RenewInBackgroundAndTokenRead_RenewedAtRefreshTimeWithoutARequest()
    {
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Time.Advance(RefreshAt);
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var requestsBeforeUse = _services.TokenEndpoint.RequestCount;
        var next = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(2, requestsBeforeUse);
        Assert.Equal("access-token-2", next.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RenewInBackgroundAndTokenNeverRead_LeftToExpire()
    {
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Time.Advance(TimeSpan.FromSeconds(301));

        Assert.Equal(0, RenewalsStarted());
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RenewedTokenNotReadAgain_NotRenewedASecondTime()
    {
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.Time.Advance(RefreshAt);
        await _services.Logs.WaitForEventAsync(RefreshedEvent);

        _services.Time.Advance(TimeSpan.FromSeconds(301));

        Assert.Equal(1, RenewalsStarted());
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RenewInBackgroundOff_NoRenewalWithoutARequest()
    {
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Time.Advance(TimeSpan.FromSeconds(299));

        Assert.Equal(0, RenewalsStarted());
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RequestInRefreshWindowAfterTimerStartedRenewal_OneTokenRequest()
    {
        _services.Configure = o => o.RenewInBackground = true;
        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;

        _services.Time.Advance(RefreshAt);
        var during = await Tokens.GetTokenAsync(TestServices.ClientName);
        _release.SetResult();
        await _services.Logs.WaitForEventAsync(RefreshedEvent);

        Assert.Same(first, during);
        Assert.Equal(1, RenewalsStarted());
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_RenewalInBackgroundFails_TriedAgainAfterBackOffWithoutARequest()
    {
        _services.Configure = o =>
        {
            o.RenewInBackground = true;
            o.TokenRequestRetries = 0;
        };
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        _services.Time.Advance(RefreshAt);
        await _services.Logs.WaitForEventAsync(RefreshFailedEvent);

        _services.Time.Advance(TimeSpan.FromSeconds(30));
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var next = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(2, RenewalsStarted());
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
        Assert.Equal("access-token-2", next.Value);
    }

    [Fact]
    public async Task GetTokenAsync_OptionsChangedBeforeRenewalTime_OldTokenNotRenewed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        var scope = "orders.read";
        _services.Configure = o =>
        {
            o.RenewInBackground = true;
            o.Scope = scope;
        };
        _services.ConfigureServices = services => services.AddSingleton<IOptionsChangeTokenSource<ClientCredentialsOptions>>(
            new ConfigurationChangeTokenSource<ClientCredentialsOptions>(TestServices.ClientName, configuration));
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        scope = "orders.write";
        configuration.Reload();
        _services.Time.Advance(RefreshAt);

        Assert.Equal(0, RenewalsStarted());
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task Dispose_RenewalPlanned_TimerStopsAndNothingIsRequested()
    {
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Dispose();
        _services.Time.Advance(RefreshAt);

        Assert.Equal(0, RenewalsStarted());
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_MoreReadTokensDueThanTheBound_AtMostTheBoundRunAtOnceAndTheRestFollow()
    {
        const int clients = 70;
        var names = Enumerable.Range(0, clients).Select(i => $"tenant-{i}").ToArray();
        _services.ConfigureServices = services =>
        {
            foreach (var name in names)
            {
                services.AddClientCredentialsTokenClient(name, o =>
                {
                    TestServices.Defaults(o);
                    o.Scope = name;
                    o.RenewInBackground = true;
                });
            }
        };
        foreach (var name in names)
        {
            await Tokens.GetTokenAsync(name);
            await Tokens.GetTokenAsync(name);
        }

        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        var startedWhileHeld = RenewalsStarted();
        _release.SetResult();
        await _services.Logs.WaitForEventAsync(RefreshedEvent, clients);

        Assert.Equal(64, startedWhileHeld);
        Assert.Equal(clients, RenewalsStarted());
        Assert.Equal(2 * clients, _services.TokenEndpoint.RequestCount);
    }

    // The cache's own event: the HttpClient's logging handlers use the same id.
    private int RenewalsStarted() =>
        _services.Logs.Lines.Count(l => l.Category == "OAuthClient.TokenCache" && l.EventId.Id == RefreshStartedEvent);
}
