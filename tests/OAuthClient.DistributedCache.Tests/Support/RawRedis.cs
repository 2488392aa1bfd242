using StackExchange.Redis;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>Reads and changes what the package stored, straight through Redis commands, as an attacker with cache access could.</summary>
public sealed class RawRedis : IAsyncDisposable
{
    private const string DataField = "data";

    private readonly ConnectionMultiplexer _redis;

    private RawRedis(ConnectionMultiplexer redis) => _redis = redis;

    public IDatabase Database => _redis.GetDatabase();

    public static async Task<RawRedis> ConnectAsync(CacheServer cache) => new(await ConnectionMultiplexer.ConnectAsync(ServiceInstance.Connection(cache)));

    /// <summary>Gets the keys whose name holds <paramref name="prefix"/>.</summary>
    public async Task<string[]> KeysAsync(string prefix)
    {
        var keys = (RedisResult[])(await Database.ExecuteAsync("KEYS", "*"))!;
        return [.. keys.Select(k => (string)k!).Where(k => k.Contains(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Gets every byte stored under <paramref name="key"/>, field names and values of a hash alike.</summary>
    public async Task<byte[]> ReadAllAsync(string key) =>
        await Database.KeyTypeAsync(key) == RedisType.Hash
            ? [.. (await Database.HashGetAllAsync(key)).SelectMany(e => ((byte[])e.Name!).Concat((byte[])e.Value!))]
            : (byte[])(await Database.StringGetAsync(key))!;

    /// <summary>Flips one bit in the middle of the stored payload, keeping its expiry.</summary>
    public async Task TamperAsync(string key)
    {
        if (await Database.KeyTypeAsync(key) == RedisType.Hash)
        {
            var data = (byte[])(await Database.HashGetAsync(key, DataField))!;
            data[data.Length / 2] ^= 0x01;
            await Database.HashSetAsync(key, DataField, data);
        }
        else
        {
            var data = (byte[])(await Database.StringGetAsync(key))!;
            data[data.Length / 2] ^= 0x01;
            await Database.StringSetAsync(key, data, expiry: null, keepTtl: true);
        }
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();
}
