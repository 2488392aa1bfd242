using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Internal;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Tokens;

/// <summary>
/// <see cref="ClientCredentialsOptions.RenewInBackground"/> against what a rejecting API, a failing token endpoint, a
/// clock that jumps and ambient state of the first caller would do to it.
/// </summary>
public sealed partial class TokenCacheTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task InvalidateToken_EveryTokenRejected_DroppedTokensDoNotPileUpInTheRenewalQueue()
    {
        _services.Configure = o => o.RenewInBackground = true;
        for (var i = 0; i < 3 * TokenCache.CompactionThreshold; i++)
        {
            var token = await Tokens.GetTokenAsync(TestServices.ClientName);
            Tokens.InvalidateToken(TestServices.ClientName, token);
        }

        var planned = _services.Services.GetRequiredService<TokenCache>().PlannedRenewals;

        Assert.Equal(3 * TokenCache.CompactionThreshold, _services.TokenEndpoint.RequestCount);
        Assert.InRange(planned, 1, TokenCache.CompactionThreshold);
    }

    [Fact]
    public async Task GetTokenAsync_RenewalStartedByARequestFails_TimerTriesAgainAfterBackOff()
    {
        _services.Configure = o =>
        {
            o.RenewInBackground = true;
            o.TokenRequestRetries = 0;
        };
        await Tokens.GetTokenAsync(TestServices.ClientName);
        // Not read before its renewal time: the timer leaves it, and the first read in the window starts the renewal.
        _services.Time.Advance(RefreshAt + TimeSpan.FromSeconds(1));
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await _services.Logs.WaitForEventAsync(RefreshFailedEvent);

        // The client is idle from here on.
        _services.Time.Advance(TimeSpan.FromSeconds(30));
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var requestsBeforeUse = _services.TokenEndpoint.RequestCount;
        var next = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(3, requestsBeforeUse);
        Assert.Equal("access-token-2", next.Value);
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_TokenEndpointAlwaysFails_OneRenewalPerBackOffUntilExpiryThenNone()
    {
        _services.Configure = o =>
        {
            o.RenewInBackground = true;
            o.TokenRequestRetries = 0;
        };
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.AnswerFor = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        // 240 s and 270 s; at 300 s the token has expired.
        _services.Time.Advance(RefreshAt);
        await _services.Logs.WaitForEventAsync(RefreshFailedEvent);
        for (var second = 241; second <= 330; second++)
        {
            _services.Time.Advance(TimeSpan.FromSeconds(1));
            if (second == 270)
            {
                await _services.Logs.WaitForEventAsync(RefreshFailedEvent, 2);
            }
        }

        _services.Time.Advance(TimeSpan.FromDays(3));

        Assert.Equal(2, _services.Logs.Lines.Count(l => l.EventId.Id == RefreshFailedEvent));
        Assert.Equal(2, RenewalsStarted());
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ClockJumpsDaysPastExpiry_ExpiredTokenNotRenewedAndNextCallerGetsANewOne()
    {
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);

        _services.Time.Advance(TimeSpan.FromDays(3));
        var requestsAfterJump = _services.TokenEndpoint.RequestCount;
        var next = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(0, RenewalsStarted());
        Assert.Equal(1, requestsAfterJump);
        Assert.Equal("access-token-2", next.Value);
    }

    [Fact]
    public async Task GetTokenAsync_OneSecondTokens_EachReadTokenRenewedOnceAtThreeQuartersOfItsLife()
    {
        _services.TokenEndpoint.ExpiresIn = 1;
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);

        for (var renewal = 1; renewal <= 5; renewal++)
        {
            await Tokens.GetTokenAsync(TestServices.ClientName);
            _services.Time.Advance(TimeSpan.FromMilliseconds(750));
            await _services.Logs.WaitForEventAsync(RefreshedEvent, renewal);
        }

        Assert.Equal(5, RenewalsStarted());
        Assert.Equal(6, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_FirstCallerHasAmbientState_BackgroundRenewalDoesNotSeeIt()
    {
        var seen = new List<string?>();
        _services.Configure = o => o.RenewInBackground = true;
        _services.ConfigureServices = services =>
        {
            // As TimeProvider.System's timers do: the callback runs in the ExecutionContext captured when the timer was made.
            services.AddSingleton<TimeProvider>(new CapturingTimeProvider(_services.Time));
            services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
                .AddHttpMessageHandler(() => new AmbientProbe(seen));
        };
        await ReadTwiceAsUserAsync("alice");

        _services.Time.Advance(RefreshAt);
        await _services.Logs.WaitForEventAsync(RefreshedEvent);

        Assert.Equal(new string?[] { "alice", null }, seen);
    }

    [Fact]
    public async Task InvalidateToken_WhileTimerRenewsIt_RetryJoinsTheRenewalAndTheRejectedTokenIsNotServedAgain()
    {
        _services.Configure = o => o.RenewInBackground = true;
        var rejected = await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        await WaitUntilAsync(() => _services.TokenEndpoint.RequestCount == 2);

        Tokens.InvalidateToken(TestServices.ClientName, rejected);
        var retry = Tokens.GetTokenAsync(TestServices.ClientName).AsTask();
        var waitedForRenewal = !retry.IsCompleted;
        _release.SetResult();
        var next = await retry;
        var later = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.True(waitedForRenewal);
        Assert.Equal("access-token-2", next.Value);
        Assert.Same(next, later);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_OptionsChangeWhileTimerRenews_RenewedOldTokenNeverServedNorRenewed()
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
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        await WaitUntilAsync(() => _services.TokenEndpoint.RequestCount == 2);

        scope = "orders.write";
        configuration.Reload();
        _services.TokenEndpoint.Gate = null;
        var afterChange = await Tokens.GetTokenAsync(TestServices.ClientName);
        _release.SetResult();
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var later = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("orders.write", _services.TokenEndpoint.Requests.Last().Fields["scope"]);
        Assert.Equal("access-token-2", afterChange.Value);
        Assert.Same(afterChange, later);
        Assert.Equal(1, RenewalsStarted());
        Assert.Equal(3, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task Dispose_WhileTimerRenews_RenewalEndsWithoutWarningRetryOrUnobservedException()
    {
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> record = (_, e) =>
        {
            lock (unobserved)
            {
                unobserved.Add(e.Exception);
            }
        };
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        await WaitUntilAsync(() => _services.TokenEndpoint.RequestCount == 2);
        TaskScheduler.UnobservedTaskException += record;
        try
        {
            _services.Dispose();
            _release.SetResult();
            await Task.WhenAny(_services.Logs.WaitForEventAsync(RefreshedEvent), _services.Logs.WaitForEventAsync(RefreshFailedEvent));
            _services.Time.Advance(TimeSpan.FromDays(1));
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= record;
        }

        // The token request succeeded; only the store, shut down meanwhile, is gone.
        Assert.DoesNotContain(_services.Logs.Lines, l => l.Category == TokenCache.LogCategory && l.Level >= LogLevel.Warning);
        Assert.Equal(1, RenewalsStarted());
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
        Assert.DoesNotContain(unobserved, e => e.ToString().Contains("OAuthClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_MachineSleptIntoRenewalWindow_TimerRenewsWithin30sOfWakingWithoutARequest()
    {
        var clock = new SuspendingClock(_services.Time);
        _services.Configure = o => o.RenewInBackground = true;
        _services.ConfigureServices = services => services.AddSingleton<TimeProvider>(clock);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
        clock.Awake(TimeSpan.FromSeconds(100));

        // Asleep from 100 s to 250 s of wall time: the renewal time (240 s) passes while the monotonic clock stands still.
        clock.Sleep(TimeSpan.FromSeconds(150));
        clock.Awake(TimeSpan.FromSeconds(30));
        await _services.Logs.WaitForEventAsync(RefreshedEvent);
        var requestsBeforeUse = _services.TokenEndpoint.RequestCount;
        var next = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(2, requestsBeforeUse);
        Assert.Equal("access-token-2", next.Value);
    }

    [Fact]
    public async Task GetTokenAsync_TenThousandReadTokensDueAtOnce_AllRenewedAtMost64AtATime()
    {
        const int clients = 10_000;
        var names = Enumerable.Range(0, clients).Select(i => $"tenant-{i}").ToArray();
        var probe = new ConcurrencyProbe(2 * clients);
        _services.ConfigureServices = services =>
        {
            services.AddLogging(b => b.ClearProviders());
            services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName).AddHttpMessageHandler(() => probe);
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

        var coldMost = probe.Most;
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        await WaitUntilAsync(() => probe.Running == TokenCache.MaxQueuedRenewals);
        _release.SetResult();
        await probe.AllDone.WaitAsync(TimeSpan.FromSeconds(60));
        var renewed = await Task.WhenAll(names.Select(name => Tokens.GetTokenAsync(name).AsTask()));

        Assert.Equal(1, coldMost);
        Assert.Equal(TokenCache.MaxQueuedRenewals, probe.Most);
        Assert.Equal(2 * clients, _services.TokenEndpoint.RequestCount);
        Assert.Equal(clients, renewed.Select(t => t.Value).Distinct().Count());
        Assert.Equal(clients, _services.Services.GetRequiredService<TokenCache>().PlannedRenewals);
    }

    private async Task ReadTwiceAsUserAsync(string user)
    {
        Ambient.Value = user;
        await Tokens.GetTokenAsync(TestServices.ClientName);
        await Tokens.GetTokenAsync(TestServices.ClientName);
    }

    /// <summary>A wall clock (the fake one) and a monotonic clock, with its timers, that stops while the machine sleeps.</summary>
    private sealed class SuspendingClock(FakeTimeProvider wall) : TimeProvider
    {
        private readonly FakeTimeProvider _monotonic = new();

        public override long TimestampFrequency => _monotonic.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => wall.GetUtcNow();

        public override long GetTimestamp() => _monotonic.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _monotonic.CreateTimer(callback, state, dueTime, period);

        // Second by second, as a machine that is awake lives through it.
        public void Awake(TimeSpan time)
        {
            for (var step = TimeSpan.Zero; step < time; step += TimeSpan.FromSeconds(1))
            {
                wall.Advance(TimeSpan.FromSeconds(1));
                _monotonic.Advance(TimeSpan.FromSeconds(1));
            }
        }

        public void Sleep(TimeSpan time) => wall.Advance(time);
    }

    /// <summary>Counts the token requests under way and the most at once, and completes when the expected number ended.</summary>
    private sealed class ConcurrencyProbe(int expected) : DelegatingHandler
    {
        private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _most;
        private int _done;

        public int Running => Volatile.Read(ref _running);

        public int Most => Volatile.Read(ref _most);

        public Task AllDone => _allDone.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _running);
            int most;
            while (running > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, running, most) != most)
            {
            }

            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                if (Interlocked.Increment(ref _done) == expected)
                {
                    _allDone.SetResult();
                }
            }
        }
    }

    private sealed class CapturingTimeProvider(FakeTimeProvider inner) : TimeProvider
    {
        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var context = ExecutionContext.Capture();
            return inner.CreateTimer(
                s =>
                {
                    if (context is null)
                    {
                        callback(s);
                    }
                    else
                    {
                        ExecutionContext.Run(context, c => callback(c), s);
                    }
                },
                state,
                dueTime,
                period);
        }
    }

    private sealed class AmbientProbe(List<string?> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                seen.Add(Ambient.Value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
