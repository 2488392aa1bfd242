using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>An <see cref="IDistributedCache"/> in memory that can fail or hang on demand and records what was stored.</summary>
public sealed class FakeDistributedCache : IDistributedCache
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

    public enum Mode
    {
        Works,
        Throws,
        Hangs,
    }

    /// <summary>Gets or sets how the cache behaves from now on.</summary>
    public Mode Behaviour { get; set; }

    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    public ConcurrentQueue<(string Key, DistributedCacheEntryOptions Options)> Writes { get; } = new();

    public byte[]? Get(string key) => throw new NotSupportedException("The package uses the async API only.");

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        Run(() => _entries.TryGetValue(key, out var value) ? value : null);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException("The package uses the async API only.");

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        Run(() =>
        {
            _entries[key] = value;
            Writes.Enqueue((key, options));
            return (byte[]?)null;
        });

    public void Refresh(string key) => throw new NotSupportedException();

    public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

    public void Remove(string key) => _entries.TryRemove(key, out _);

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    private Task<byte[]?> Run(Func<byte[]?> action) => Behaviour switch
    {
        Mode.Throws => Task.FromException<byte[]?>(new InvalidOperationException("The cache server is down.")),
        Mode.Hangs => new TaskCompletionSource<byte[]?>().Task,
        _ => Task.FromResult(action()),
    };
}
