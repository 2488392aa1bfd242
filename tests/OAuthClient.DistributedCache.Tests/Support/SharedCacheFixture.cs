using OAuthClient.Samples;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>
/// The development authorization server, a cache server and one key ring, shared by the tests of a class. Each test
/// uses a client id and a key prefix of its own, so neither token counts nor cache entries mix.
/// </summary>
public sealed class SharedCacheFixture : IAsyncLifetime
{
    private DevAuthorizationServer? _server;
    private CacheServer? _cache;

    public DevAuthorizationServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public CacheServer Cache => _cache ?? throw new InvalidOperationException("The cache server has not started.");

    public SharedKeyRing KeyRing { get; } = new();

    public async Task InitializeAsync()
    {
        _cache = await CacheServer.StartAsync();
        _server = await DevAuthorizationServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_cache is not null)
        {
            await _cache.DisposeAsync();
        }
    }
}
