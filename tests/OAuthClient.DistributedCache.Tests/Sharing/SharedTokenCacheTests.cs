using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using OAuthClient.DistributedCache.Tests.Support;
using OAuthClient.Samples;
using Xunit.Abstractions;

namespace OAuthClient.DistributedCache.Tests.Sharing;

/// <summary>
/// Several service instances against the development server and a real RESP server (Garnet in-process, or redis-server
/// when OAUTHCLIENT_TEST_REDIS=redis-server), talking to it through StackExchange.Redis as in production.
/// </summary>
public sealed class SharedTokenCacheTests(SharedCacheFixture fixture, ITestOutputHelper output) : IClassFixture<SharedCacheFixture>
{
    private const int SharedHit = 400;
    private const int CacheUnavailable = 402;
    private const int EntryUnreadable = 403;
    private const int WaitingForOtherInstance = 405;
    private const int LockWaitTimedOut = 406;

    [Fact]
    public async Task SendAsync_EightInstancesTwoHundredCallsEachOnColdCache_ServerCountsOneTokenRequest()
    {
        var client = TestClient.Create();
        await using var instances = await Instances.StartAsync(8, () => ServiceInstance.StartAsync(fixture, fixture.Cache, client));

        var answers = await Task.WhenAll(instances.All.SelectMany(i => Enumerable.Range(0, 200).Select(_ => i.WhoAmIAsync())).ToArray());

        var tokenRequests = fixture.Server.GetTokenRequestCount(client.ClientId);
        output.WriteLine($"{(CacheServer.UsesRedisServer ? "redis-server" : "Garnet")}: 8 instances x 200 calls, {tokenRequests} token request(s).");
        Assert.Equal(1600, answers.Count(a => a.ClientId == client.ClientId));
        Assert.InRange(tokenRequests, 1, 2);
        AssertNoTokenLogged(instances.All);
    }

    [Theory]
    [InlineData(ServiceInstance.Sharing.None, 8, 8)]
    [InlineData(ServiceInstance.Sharing.EntryOnly, 1, 8)]
    public async Task SendAsync_EightInstancesWithoutLock_ServerCountsUpToOneTokenRequestEach(ServiceInstance.Sharing sharing, int least, int most)
    {
        var client = TestClient.Create();
        await using var instances = await Instances.StartAsync(8, () => ServiceInstance.StartAsync(fixture, fixture.Cache, client, sharing));

        await Task.WhenAll(instances.All.SelectMany(i => Enumerable.Range(0, 200).Select(_ => i.WhoAmIAsync())).ToArray());

        var tokenRequests = fixture.Server.GetTokenRequestCount(client.ClientId);
        output.WriteLine($"{(CacheServer.UsesRedisServer ? "redis-server" : "Garnet")}: 8 instances x 200 calls, sharing {sharing}, {tokenRequests} token request(s).");
        Assert.InRange(tokenRequests, least, most);
    }

    [Fact]
    public async Task SendAsync_InstanceStartedLater_ReusesSharedTokenWithoutTokenRequest()
    {
        var client = TestClient.Create();
        await using var first = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        await first.WhoAmIAsync();

        await using var later = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        var answer = await later.WhoAmIAsync();

        Assert.Equal(client.ClientId, answer.ClientId);
        Assert.Equal(1, fixture.Server.GetTokenRequestCount(client.ClientId));
        Assert.Contains(later.Logs.Lines, l => l.EventId.Id == SharedHit);
    }

    [Fact]
    public async Task SendAsync_CacheServerStoppedMidRun_NoCallFailsAndWarningLogged()
    {
        var client = TestClient.Create();
        var cache = await CacheServer.StartAsync();
        await using var stopCache = cache;
        await using var warm = await ServiceInstance.StartAsync(fixture, cache, client);
        await using var cold = await ServiceInstance.StartAsync(fixture, cache, client);
        await warm.WhoAmIAsync();

        var inFlight = Enumerable.Range(0, 50).Select(_ => warm.WhoAmIAsync()).Concat(Enumerable.Range(0, 50).Select(_ => cold.WhoAmIAsync())).ToArray();
        await cache.StopAsync();
        await using var late = await ServiceInstance.StartAsync(fixture, cache, client);
        var lateAnswers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => late.WhoAmIAsync()));
        var answers = await Task.WhenAll(inFlight);

        Assert.All(answers.Concat(lateAnswers), a => Assert.Equal(client.ClientId, a.ClientId));
        Assert.Contains(late.Logs.Lines, l => l.EventId.Id == CacheUnavailable && l.Level == LogLevel.Warning);
        Assert.InRange(fixture.Server.GetTokenRequestCount(client.ClientId), 2, 3);
        AssertNoTokenLogged([warm, cold, late]);
    }

    [Fact]
    public async Task GetTokenAsync_StoredEntry_HoldsNoReadableTokenAndKeyNamesNoSetting()
    {
        var client = TestClient.Create();
        await using var instance = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        var token = await instance.Tokens.GetTokenAsync(ServiceInstance.ClientName);
        await using var raw = await RawRedis.ConnectAsync(fixture.Cache);

        var key = Assert.Single(await raw.KeysAsync(client.KeyPrefix));
        var stored = await raw.ReadAllAsync(key);

        var text = Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain(token.Value, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value.Split('.')[^1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(client.ClientId, key, StringComparison.Ordinal);
        Assert.DoesNotContain(DevClients.ApiReadScope, key, StringComparison.Ordinal);
        Assert.True(await raw.Database.KeyTimeToLiveAsync(key) is { } ttl && ttl <= fixture.Server.AccessTokenLifetime, "The entry expires with the token.");
    }

    [Fact]
    public async Task SendAsync_TamperedEntry_IsMissFetchesAgainAndWarns()
    {
        var client = TestClient.Create();
        await using var first = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        await first.WhoAmIAsync();
        await using var raw = await RawRedis.ConnectAsync(fixture.Cache);
        await raw.TamperAsync(Assert.Single(await raw.KeysAsync(client.KeyPrefix)));

        await using var second = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        var answer = await second.WhoAmIAsync();

        Assert.Equal(client.ClientId, answer.ClientId);
        Assert.Equal(2, fixture.Server.GetTokenRequestCount(client.ClientId));
        Assert.Contains(second.Logs.Lines, l => l.EventId.Id == EntryUnreadable && l.Level == LogLevel.Warning);
        AssertNoTokenLogged([first, second]);
    }

    [Fact]
    public async Task SendAsync_LockHolderDies_AnotherInstanceFetchesAfterLockExpiry()
    {
        var client = TestClient.Create();
        await using var first = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        await first.WhoAmIAsync();
        await using var raw = await RawRedis.ConnectAsync(fixture.Cache);
        var entry = Assert.Single(await raw.KeysAsync(client.KeyPrefix));
        await raw.Database.KeyDeleteAsync(entry);
        var lockKey = entry[entry.IndexOf(client.KeyPrefix, StringComparison.Ordinal)..] + ":lock";
        var lockExpiry = TimeSpan.FromSeconds(1.5);
        Assert.True(await raw.Database.LockTakeAsync(lockKey, "instance-that-died", lockExpiry));

        await using var second = await ServiceInstance.StartAsync(fixture, fixture.Cache, client);
        var watch = Stopwatch.StartNew();
        var answer = await second.WhoAmIAsync();

        Assert.Equal(client.ClientId, answer.ClientId);
        Assert.Equal(2, fixture.Server.GetTokenRequestCount(client.ClientId));
        Assert.True(watch.Elapsed >= lockExpiry - TimeSpan.FromMilliseconds(500), $"Fetched after {watch.Elapsed}, before the lock expired.");
        Assert.Contains(second.Logs.Lines, l => l.EventId.Id == WaitingForOtherInstance);
        Assert.DoesNotContain(second.Logs.Lines, l => l.EventId.Id == LockWaitTimedOut);
    }

    [Fact]
    public async Task SendAsync_LockHolderSlowerThanLockExpiry_KeepsTheLockAndServerCountsOneTokenRequest()
    {
        // LockExpiry 0.3 s, token requests that take 1.5 s, TokenRequestTimeout 30 s: the holder is slow but alive.
        var client = TestClient.Create();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ServiceInstance> Start() => ServiceInstance.StartAsync(
            fixture,
            fixture.Cache,
            client,
            configureServices: s => s.AddHttpClient("slow-backchannel").AddHttpMessageHandler(() => new SlowTokenRequests(asked, TimeSpan.FromSeconds(1.5))),
            configure: o => o.BackchannelHttpClientName = "slow-backchannel",
            configureCache: o =>
            {
                o.LockExpiry = TimeSpan.FromMilliseconds(300);
                o.LockWaitTimeout = TimeSpan.FromSeconds(20);
            });
        await using var holder = await Start();
        await using var waiter = await Start();

        var first = holder.WhoAmIAsync();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = waiter.WhoAmIAsync();
        await Task.WhenAll(first, second);

        Assert.Equal(1, fixture.Server.GetTokenRequestCount(client.ClientId));
        Assert.Contains(waiter.Logs.Lines, l => l.EventId.Id == WaitingForOtherInstance);
    }

    /// <summary>Holds every token request back for a while, as a slow authorization server would.</summary>
    private sealed class SlowTokenRequests(TaskCompletionSource asked, TimeSpan delay) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                asked.TrySetResult();
                await Task.Delay(delay, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private static void AssertNoTokenLogged(IEnumerable<ServiceInstance> instances)
    {
        foreach (var line in instances.SelectMany(i => i.Logs.Lines))
        {
            var text = line.ToString();
            Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
            Assert.DoesNotContain(DevClients.WorkerClientSecret, text, StringComparison.Ordinal);
        }
    }

    private sealed class Instances(ServiceInstance[] all) : IAsyncDisposable
    {
        public ServiceInstance[] All => all;

        public static async Task<Instances> StartAsync(int count, Func<Task<ServiceInstance>> start) =>
            new(await Task.WhenAll(Enumerable.Range(0, count).Select(_ => start())));

        public async ValueTask DisposeAsync()
        {
            foreach (var instance in all)
            {
                await instance.DisposeAsync();
            }
        }
    }
}
