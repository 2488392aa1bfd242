using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Tests.Tokens;

/// <summary>A logger that throws (a broken sink, a full disk) must not leave a flight half-started or its callers waiting.</summary>
public sealed partial class TokenCacheTests
{
    private const int CacheMissEvent = 101;

    [Fact]
    public async Task GetTokenAsync_LoggerThrowsOnCacheMiss_LaterCallersStillGetTheToken()
    {
        _services.ConfigureServices = services => services.AddLogging(b => b.AddProvider(new ThrowingLoggerProvider(CacheMissEvent)));

        // Microsoft.Extensions.Logging gathers what its providers throw into one AggregateException.
        await Assert.ThrowsAsync<AggregateException>(() => Tokens.GetTokenAsync(Support.TestServices.ClientName).AsTask());
        var token = await Tokens.GetTokenAsync(Support.TestServices.ClientName).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("access-token-1", token.Value);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_LoggerThrowsWhenBackgroundRefreshEnds_CallersWaitingOnItGetTheNewToken()
    {
        _services.ConfigureServices = services => services.AddLogging(b => b.AddProvider(new ThrowingLoggerProvider(RefreshedEvent)));
        _services.Configure = o => o.TokenRequestTimeout = TimeSpan.FromMinutes(5);
        await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        _services.TokenEndpoint.Gate = _release.Task;
        _services.Time.Advance(RefreshAt);
        _ = await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        await WaitUntilAsync(() => _services.TokenEndpoint.RequestCount == 2);

        // The old token expires while the refresh is held back: callers now wait on the refresh's flight.
        _services.Time.Advance(TimeSpan.FromSeconds(61));
        var waiting = Tokens.GetTokenAsync(Support.TestServices.ClientName).AsTask();
        _release.SetResult();
        var token = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("access-token-2", token.Value);
    }

    [Fact]
    public async Task GetTokenAsync_LoggerThrowsWhenTimerRenewalEnds_NoUnobservedTaskException()
    {
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> record = (_, e) =>
        {
            lock (unobserved)
            {
                unobserved.Add(e.Exception);
            }
        };
        _services.ConfigureServices = services => services.AddLogging(b => b.AddProvider(new ThrowingLoggerProvider(RefreshedEvent)));
        _services.Configure = o => o.RenewInBackground = true;
        await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        TaskScheduler.UnobservedTaskException += record;
        try
        {
            _services.Time.Advance(RefreshAt);
            await _services.Logs.WaitForEventAsync(RefreshedEvent);
            await WaitUntilAsync(() => _services.Services.GetRequiredService<OAuthClient.Internal.TokenCache>().PlannedRenewals == 1);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= record;
        }

        Assert.DoesNotContain(unobserved, e => e.ToString().Contains("The log sink is broken.", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Throws from every OAuthClient log call of one event id, as a broken sink would.</summary>
    private sealed class ThrowingLoggerProvider(int eventId) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("OAuthClient.", StringComparison.Ordinal) ? new Logger(eventId) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Logger(int eventId) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (id.Id == eventId)
                {
                    throw new InvalidOperationException("The log sink is broken.");
                }
            }
        }
    }
}
