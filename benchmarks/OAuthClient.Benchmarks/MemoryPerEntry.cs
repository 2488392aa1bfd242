using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// Measures the memory a cached client keeps (its options, token source, cache entry and token), by filling N
/// clients and comparing the live heap before and after, and the bytes a hit allocates on this thread.
/// </summary>
internal static class MemoryPerEntry
{
    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("| Clients | Heap kept | Kept per client | of which the options (IOptionsMonitor) | of which the cached token | Beside options and token | Allocated per 1,000,000 hits |");
        Console.WriteLine("|--------:|----------:|----------------:|---------------------------------------:|--------------------------:|-------------------------:|-----------------------------:|");
        foreach (var count in args.Contains("--quick") ? new[] { 10_000 } : new[] { 1_000, 10_000, 100_000 })
        {
            var endpoint = new TokenEndpointHandler();
            var (services, provider) = ManyClients.Build(endpoint);
            using (services)
            {
                // The first client pays for the shared machinery (HttpClient factory, pipelines): leave it out.
                await ManyClients.FillAsync(provider, 1);
                var before = GC.GetTotalMemory(forceFullCollection: true);

                // The options alone, as IOptionsMonitor builds and caches them for any named options: not ours to shrink.
                var monitor = services.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>();
                for (var i = 1; i <= count; i++)
                {
                    monitor.Get(ManyClients.Name(i));
                }

                var withOptions = GC.GetTotalMemory(forceFullCollection: true);
                await ManyClients.FillAsync(provider, count + 1);
                var after = GC.GetTotalMemory(forceFullCollection: true);

                var name = ManyClients.Name(count / 2);
                ProviderBenchmarks.Hit(provider, name);
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < 1_000_000; i++)
                {
                    ProviderBenchmarks.Hit(provider, name);
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

                // Dropping every token leaves the clients: the difference is what the cache itself holds per token.
                for (var i = 1; i <= count; i++)
                {
                    var client = ManyClients.Name(i);
                    provider.InvalidateToken(client, ProviderBenchmarks.Hit(provider, client));
                }

                var withoutTokens = GC.GetTotalMemory(forceFullCollection: true);
                var kept = after - before;
                var options = (withOptions - before) / (double)count;
                var token = (after - withoutTokens) / (double)count;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {count,7:N0} | {kept / 1024.0 / 1024.0,7:N1} MB | {kept / (double)count,12:N0} B | {options,35:N0} B | {token,22:N0} B | {(kept / (double)count) - options - token,21:N0} B | {allocated,26:N0} B |"));
                GC.KeepAlive(provider);
            }
        }

        return 0;
    }
}
