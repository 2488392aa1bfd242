using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Tokens;

/// <summary>The application's <see cref="IMemoryCache"/> is the store: its limits and evictions apply to tokens.</summary>
public sealed partial class TokenCacheTests
{
    [Fact]
    public async Task GetTokenAsync_AppCompactsItsMemoryCache_NextCallFetchesNewToken()
    {
        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        var memory = (MemoryCache)_services.Services.GetRequiredService<IMemoryCache>();

        memory.Compact(1.0);

        // The memory cache tells of evictions on the thread pool: ask until the token is gone, within bounds.
        var next = first;
        for (var i = 0; i < 200 && ReferenceEquals(next, first); i++)
        {
            await Task.Delay(10);
            next = await Tokens.GetTokenAsync(TestServices.ClientName);
        }

        Assert.Equal(1, memory.Count);
        Assert.Equal("access-token-2", next.Value);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_AppMemoryCacheHasSizeLimit_TokenStoredWithASize()
    {
        _services.ConfigureServices = s => s.AddMemoryCache(o => o.SizeLimit = 10);

        var first = await Tokens.GetTokenAsync(TestServices.ClientName);
        var second = await Tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Same(first, second);
        Assert.Equal(1, ((MemoryCache)_services.Services.GetRequiredService<IMemoryCache>()).Count);
    }
}
