using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OAuthClient.DistributedCache.Tests.Support;
using OAuthClient.Tests.Support;

namespace OAuthClient.DistributedCache.Tests.Sharing;

/// <summary>The shared cache over a fake <c>IDistributedCache</c> (no Redis, so no lock), MockHttp endpoints and a fake clock.</summary>
public sealed class DistributedTokenSourceTests
{
    private const int CacheUnavailable = 402;
    private const int EntryUnreadable = 403;

    private readonly UnitInstance.World _shared = new();

    [Fact]
    public async Task GetTokenAsync_OtherInstanceStoredToken_ReadsItWithoutTokenRequest()
    {
        using var first = new UnitInstance(_shared);
        using var second = new UnitInstance(_shared);

        var stored = await first.GetTokenAsync();
        var read = await second.GetTokenAsync();

        Assert.Equal(stored.Value, read.Value);
        Assert.Equal(stored.ExpiresAt, read.ExpiresAt);
        Assert.Equal(1, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_Stored_EntryExpiresWithTokenUnderHashedKey()
    {
        using var instance = new UnitInstance(_shared);

        await instance.GetTokenAsync();

        var (key, options) = Assert.Single(_shared.Cache.Writes);
        Assert.Equal(TimeSpan.FromSeconds(300), options.AbsoluteExpirationRelativeToNow);
        Assert.Matches("^OAuthClient:token:v1:[0-9A-F]{64}$", key);
    }

    [Fact]
    public async Task GetTokenAsync_Stored_EntryHoldsNoPlainToken()
    {
        using var instance = new UnitInstance(_shared);

        var token = await instance.GetTokenAsync();

        var stored = Encoding.Latin1.GetString(Assert.Single(_shared.Cache.Entries.Values));
        Assert.DoesNotContain(token.Value, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_SharedTokenPastRenewalTime_RequestsNewToken()
    {
        using var first = new UnitInstance(_shared);
        using var second = new UnitInstance(_shared);
        var old = await first.GetTokenAsync();

        _shared.Time.Advance(TimeSpan.FromSeconds(300 - 60));
        var renewed = await second.GetTokenAsync();

        Assert.NotEqual(old.Value, renewed.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_CacheThrows_UsesTokenEndpointAndWarns()
    {
        using var instance = new UnitInstance(_shared);
        _shared.Cache.Behaviour = FakeDistributedCache.Mode.Throws;

        var token = await instance.GetTokenAsync();

        Assert.Equal("access-token-1", token.Value);
        Assert.Contains(instance.Logs.Lines, l => l.EventId.Id == CacheUnavailable && l.Level == LogLevel.Warning);
        AssertNoSecretLogged(instance, token);
    }

    [Fact]
    public async Task GetTokenAsync_CacheHangs_UsesTokenEndpointAfterOperationTimeout()
    {
        using var instance = new UnitInstance(_shared);
        _shared.Cache.Behaviour = FakeDistributedCache.Mode.Hangs;

        var pending = instance.GetTokenAsync();
        for (var i = 0; i < 100 && !pending.IsCompleted; i++)
        {
            _shared.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        var token = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("access-token-1", token.Value);
        Assert.Contains(instance.Logs.Lines, l => l.EventId.Id == CacheUnavailable);
    }

    [Fact]
    public async Task GetTokenAsync_CacheBackAfterOutage_SharesAgain()
    {
        using var duringOutage = new UnitInstance(_shared);
        _shared.Cache.Behaviour = FakeDistributedCache.Mode.Throws;
        await duringOutage.GetTokenAsync();

        _shared.Cache.Behaviour = FakeDistributedCache.Mode.Works;
        using var afterOutage = new UnitInstance(_shared);
        using var later = new UnitInstance(_shared);
        var stored = await afterOutage.GetTokenAsync();
        var read = await later.GetTokenAsync();

        Assert.Equal(stored.Value, read.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_EntryFromAnotherKeyRing_IsMissAndWarns()
    {
        using var first = new UnitInstance(_shared);
        using var stranger = new UnitInstance(_shared, protector: new EphemeralDataProtectionProvider().CreateProtector("other"));
        var stored = await first.GetTokenAsync();

        var token = await stranger.GetTokenAsync();

        Assert.NotEqual(stored.Value, token.Value);
        Assert.Contains(stranger.Logs.Lines, l => l.EventId.Id == EntryUnreadable && l.Level == LogLevel.Warning);
        AssertNoSecretLogged(stranger, token);
    }

    [Fact]
    public async Task GetTokenAsync_ProtectorMadeFromServices_SharedByInstancesThatMakeItAlike()
    {
        static IDataProtector Custom(IServiceProvider sp) => sp.GetRequiredService<IDataProtectionProvider>().CreateProtector("orders-tokens");
        using var first = new UnitInstance(_shared, protectorFromServices: Custom);
        using var second = new UnitInstance(_shared, protectorFromServices: Custom);
        using var defaultPurpose = new UnitInstance(_shared);

        var stored = await first.GetTokenAsync();
        var shared = await second.GetTokenAsync();
        var other = await defaultPurpose.GetTokenAsync();

        Assert.Equal(stored.Value, shared.Value);
        // The default purpose cannot read what the custom one protected: a miss, and a token of its own.
        Assert.NotEqual(stored.Value, other.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_EntryTampered_IsMissAndWarns()
    {
        using var first = new UnitInstance(_shared);
        using var second = new UnitInstance(_shared);
        await first.GetTokenAsync();
        var (key, data) = Assert.Single(_shared.Cache.Entries);
        data[data.Length / 2] ^= 0x01;

        var token = await second.GetTokenAsync();

        Assert.Equal("access-token-2", token.Value);
        Assert.Contains(second.Logs.Lines, l => l.EventId.Id == EntryUnreadable);
        Assert.NotNull(key);
    }

    [Fact]
    public async Task SendAsync_ApiRejectsSharedToken_RetriesWithNewTokenNotTheSharedCopy()
    {
        using var instance = new UnitInstance(_shared);
        instance.Api.Respond = call => call.Token == "access-token-1" ? ApiStub.Unauthorized() : new HttpResponseMessage(System.Net.HttpStatusCode.OK);

        using var response = await instance.CreateClient().GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-2"], instance.Api.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task GetTokenAsync_RejectedTokensEntryWrittenBack_OtherInstancesSkipIt()
    {
        using var first = new UnitInstance(_shared);
        first.Api.Respond = call => call.Token == "access-token-1" ? ApiStub.Unauthorized() : new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        await first.GetTokenAsync();
        var (key, rejectedEntry) = _shared.Cache.Entries.Single(e => !e.Key.Contains(":rejected:", StringComparison.Ordinal));
        using (var response = await first.CreateClient().GetAsync(new Uri("orders", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await WaitUntilAsync(() => _shared.Cache.Entries.Keys.Any(k => k.Contains(":rejected:", StringComparison.Ordinal)));
        // Someone with write access to the cache, but not the key ring, puts the rejected token's entry back.
        await _shared.Cache.SetAsync(key, rejectedEntry, new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions());
        using var later = new UnitInstance(_shared);
        var token = await later.GetTokenAsync();

        Assert.NotEqual("access-token-1", token.Value);
        Assert.Contains(later.Logs.Lines, l => l.EventId.Id == 407);
    }

    [Fact]
    public async Task GetTokenAsync_ForgedRejectionMarker_Ignored()
    {
        using var first = new UnitInstance(_shared);
        var token = await first.GetTokenAsync();
        var key = _shared.Cache.Entries.Keys.Single();
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token.Value)));
        await _shared.Cache.SetAsync(key + ":rejected:" + hash, [1, 2, 3], new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions());
        using var second = new UnitInstance(_shared);

        var shared = await second.GetTokenAsync();

        Assert.Equal(token.Value, shared.Value);
        Assert.Equal(1, _shared.TokenEndpoint.RequestCount);
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

    [Fact]
    public async Task GetTokenAsync_NoDistributedCacheRegistered_ThrowsNamingClient()
    {
        using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_shared.Time)
            .AddLogging()
            .AddHttpClient("bare")
            .AddClientCredentialsToken(o =>
            {
                o.TokenEndpoint = TokenEndpointStub.Endpoint;
                o.ClientId = "worker";
                o.ClientSecret = UnitInstance.ClientSecret;
            })
            .UseDistributedTokenCache()
            .Services.BuildServiceProvider();
        var tokens = services.GetRequiredService<IClientCredentialsTokenProvider>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => tokens.GetTokenAsync("bare").AsTask());

        Assert.Contains("'bare'", error.Message, StringComparison.Ordinal);
        Assert.Contains("IDistributedCache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_RenewedInBackgroundByOneInstance_OtherInstanceRenewsFromTheSharedEntry()
    {
        const int refreshed = 104;
        using var first = new UnitInstance(_shared);
        using var renewing = new UnitInstance(_shared, configure: o => o.RenewInBackground = true);
        var old = await first.GetTokenAsync();
        await renewing.GetTokenAsync();
        await renewing.GetTokenAsync();

        // The timer's renewal goes through the shared cache: the token it gets is there for the other instance.
        _shared.Time.Advance(TimeSpan.FromSeconds(300 - 60));
        await renewing.Logs.WaitForEventAsync(refreshed);
        await first.GetTokenAsync();
        await first.Logs.WaitForEventAsync(refreshed);
        var renewed = await first.GetTokenAsync();

        Assert.NotEqual(old.Value, renewed.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    private static void AssertNoSecretLogged(UnitInstance instance, AccessToken token)
    {
        foreach (var line in instance.Logs.Lines.Select(l => l.ToString()))
        {
            Assert.DoesNotContain(token.Value, line, StringComparison.Ordinal);
            Assert.DoesNotContain(UnitInstance.ClientSecret, line, StringComparison.Ordinal);
        }
    }
}
