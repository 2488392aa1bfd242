using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace OAuthClient.Tests.Tokens;

/// <summary>
/// A laptop that sleeps: the monotonic clock the hit path reads stops, the wall clock moves on. The cache must not
/// keep serving a token the wall clock says expired, nor miss its renewal.
/// </summary>
public sealed partial class TokenCacheTests
{
    [Fact]
    public async Task GetTokenAsync_MachineSleptPastExpiry_NewTokenWithinASecondOfWaking()
    {
        var clock = new SleepingClock(_services.Time);
        _services.ConfigureServices = services => services.AddSingleton<TimeProvider>(clock);
        var first = await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        clock.Awake(TimeSpan.FromSeconds(10));
        Assert.Same(first, await Tokens.GetTokenAsync(Support.TestServices.ClientName));

        clock.Sleep(TimeSpan.FromMinutes(10));
        clock.Awake(TimeSpan.FromSeconds(1.1));
        var afterWaking = await Tokens.GetTokenAsync(Support.TestServices.ClientName);

        Assert.Equal("access-token-2", afterWaking.Value);
        Assert.True(afterWaking.ExpiresAt > _services.Time.GetUtcNow());
    }

    [Fact]
    public async Task GetTokenAsync_MachineSleptIntoRefreshWindow_RenewalStartsWithinASecondOfWaking()
    {
        var clock = new SleepingClock(_services.Time);
        _services.ConfigureServices = services => services.AddSingleton<TimeProvider>(clock);
        var first = await Tokens.GetTokenAsync(Support.TestServices.ClientName);

        clock.Sleep(TimeSpan.FromSeconds(250));
        clock.Awake(TimeSpan.FromSeconds(1.1));
        var served = await Tokens.GetTokenAsync(Support.TestServices.ClientName);
        await _services.Logs.WaitForEventAsync(RefreshedEvent).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Same(first, served);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_AwakeAndFresh_ServedFromTheMonotonicClockWithoutRequests()
    {
        var clock = new SleepingClock(_services.Time);
        _services.ConfigureServices = services => services.AddSingleton<TimeProvider>(clock);
        var first = await Tokens.GetTokenAsync(Support.TestServices.ClientName);

        for (var i = 0; i < 20; i++)
        {
            clock.Awake(TimeSpan.FromSeconds(10));
            Assert.Same(first, await Tokens.GetTokenAsync(Support.TestServices.ClientName));
        }

        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    /// <summary>A wall clock (the fake one) and a monotonic clock that stops while the machine sleeps.</summary>
    private sealed class SleepingClock(FakeTimeProvider wall) : TimeProvider
    {
        private long _monotonic = 1_000_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => wall.GetUtcNow();

        public override long GetTimestamp() => Interlocked.Read(ref _monotonic);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            wall.CreateTimer(callback, state, dueTime, period);

        public void Awake(TimeSpan time)
        {
            Interlocked.Add(ref _monotonic, time.Ticks);
            wall.Advance(time);
        }

        public void Sleep(TimeSpan time) => wall.Advance(time);
    }
}
