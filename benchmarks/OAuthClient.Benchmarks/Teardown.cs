using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// Times the life of many named clients, each registered as users do (<c>AddClientCredentialsTokenClient(name, ...)</c>):
/// registering them, building the service provider, the start-up validation a host runs, first use (one token each),
/// and disposing the provider, for 1,000, 10,000 and 100,000 clients. Each step should grow linearly with the count.
/// </summary>
/// <remarks>The counts can be given after the switch (<c>--teardown 1000 10000</c>), to bound a run of a slow tree.</remarks>
internal static class Teardown
{
    public static async Task<int> RunAsync(string[] args)
    {
        var counts = args.SkipWhile(a => a != "--teardown").Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty().Where(c => c > 0).ToArray();
        if (counts.Length == 0)
        {
            counts = [1_000, 10_000, 100_000];
        }

        Console.WriteLine("| Clients | Register | Build the provider | Validate on start | First use (a token each) | Per client (register / first use) | Dispose the provider |");
        Console.WriteLine("|--------:|---------:|-------------------:|------------------:|-------------------------:|----------------------------------:|---------------------:|");
        foreach (var count in counts)
        {
            var endpoint = new TokenEndpointHandler();
            var services = new ServiceCollection();
            services.AddTokenEndpoint(endpoint);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                services.AddClientCredentialsTokenClient(ManyClients.Name(i), Wiring.Defaults);
            }

            var registered = watch.Elapsed;

            watch.Restart();
            var built = services.BuildServiceProvider();
            var provider = built.GetRequiredService<IClientCredentialsTokenProvider>();
            var build = watch.Elapsed;

            // What a host does before it starts (ValidateOnStart): every client's options are built and validated.
            watch.Restart();
            built.GetService<IStartupValidator>()?.Validate();
            var validated = watch.Elapsed;

            watch.Restart();
            await ManyClients.FillAsync(provider, count);
            var used = watch.Elapsed;

            watch.Restart();
            await built.DisposeAsync();
            var disposed = watch.Elapsed;

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {count:N0} | {registered.TotalMilliseconds:N0} ms | {build.TotalMilliseconds:N1} ms | {validated.TotalMilliseconds:N0} ms | {used.TotalMilliseconds:N0} ms | {registered.TotalMicroseconds / count:N1} µs / {used.TotalMicroseconds / count:N1} µs | {disposed.TotalMilliseconds:N1} ms |"));
        }

        return 0;
    }
}
