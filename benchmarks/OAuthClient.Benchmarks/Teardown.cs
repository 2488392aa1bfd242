using System.Diagnostics;
using System.Globalization;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// Times the life of many named clients: building the service provider, first use (one token each), and disposing
/// the provider, for 1,000, 10,000 and 100,000 clients. Each step should grow linearly with the count.
/// </summary>
internal static class Teardown
{
    public static async Task<int> RunAsync()
    {
        Console.WriteLine("| Clients | Build the provider | First use (a token each) | Per client | Dispose the provider |");
        Console.WriteLine("|--------:|-------------------:|-------------------------:|-----------:|---------------------:|");
        foreach (var count in new[] { 1_000, 10_000, 100_000 })
        {
            var endpoint = new TokenEndpointHandler();
            var watch = Stopwatch.StartNew();
            var (services, provider) = ManyClients.Build(endpoint);
            var built = watch.Elapsed;

            watch.Restart();
            await ManyClients.FillAsync(provider, count);
            var used = watch.Elapsed;

            watch.Restart();
            await services.DisposeAsync();
            var disposed = watch.Elapsed;

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {count:N0} | {built.TotalMilliseconds:N1} ms | {used.TotalMilliseconds:N0} ms | {used.TotalMicroseconds / count:N1} µs | {disposed.TotalMilliseconds:N1} ms |"));
        }

        return 0;
    }
}
