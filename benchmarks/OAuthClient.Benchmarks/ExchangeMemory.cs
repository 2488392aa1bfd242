using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// Measures what a token exchange keeps per user: N users' tokens cached, the live heap before and after, and the same
/// with the tokens dropped; and the bytes one hit allocates.
/// </summary>
internal static class ExchangeMemory
{
    private static readonly Uri Path = new("orders/1", UriKind.Relative);

    public static async Task<int> RunAsync()
    {
        // The stub's tokens are short ("token-N"): a real token adds its own length (about 2 bytes a character) to each entry.
        Console.WriteLine("| Users | Heap kept | Kept per user (stub token included) | Allocated per hit (handler and client) |");
        Console.WriteLine("|------:|----------:|------------------------------------:|---------------------------------------:|");
        foreach (var count in new[] { 1_000, 10_000 })
        {
            // The users' own tokens exist before the measurement: they are the callers', not the cache's.
            var subjects = new Rotating(Enumerable.Range(0, count + 1).Select(ExchangeWiring.Subject).ToArray());
            var services = new ServiceCollection();
            services.AddTokenEndpoint(new TokenEndpointHandler());
            services.AddExchangeClient(subjects, maxCachedTokens: count + 1);
            using var provider = services.BuildServiceProvider();
            using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ExchangeWiring.ClientName);

            // User 0 pays for the shared machinery (handlers, the token client, the exchange settings): left out.
            (await client.GetAsync(Path)).Dispose();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var user = 1; user <= count; user++)
            {
                subjects.User = user;
                (await client.GetAsync(Path)).Dispose();
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);

            // A hit, measured on one thread without the transport's allocations: the handler's lookup alone.
            subjects.User = 1;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Wiring.ApiBase, Path));
            (await client.SendAsync(request)).Dispose();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            const int Hits = 10_000;
            for (var i = 0; i < Hits; i++)
            {
                using var hit = new HttpRequestMessage(HttpMethod.Get, new Uri(Wiring.ApiBase, Path));
                (await client.SendAsync(hit)).Dispose();
            }

            var perHit = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)Hits;
            var kept = after - before;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {count,5:N0} | {kept / 1024.0 / 1024.0,6:N1} MB | {kept / (double)count,34:N0} B | {perHit,38:N0} B |"));
            GC.KeepAlive(subjects);
        }

        return 0;
    }

    private sealed class Rotating(string[] subjects) : ISubjectTokenSource
    {
        private string _current = subjects[0];

        public int User
        {
            set => _current = subjects[value];
        }

        public SubjectToken? GetSubjectToken(HttpRequestMessage request) => new SubjectToken(_current);
    }
}
