using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.Benchmarks;

/// <summary>
/// 100,000 token clients (tenants), each registered by name with its own scope and token, under Zipf-distributed traffic
/// (a few tenants take most requests, most take few) with the real clock and tokens of 20 s, first used one after another
/// across the first lifetime so that tokens expire throughout the run. Checks, and returns 1 if one fails:
/// <list type="bullet">
/// <item>no duplicates: a tenant never asks for a token sooner than its renewal time (3/4 of the lifetime) after the last;</item>
/// <item>no request waits at expiry: a request waits for the token endpoint only on a tenant's first use, or after its token
/// expired (reported apart: a token that requests had read from the cache, or one nobody read); never while its token is
/// still valid;</item>
/// <item>token requests at most tenants x lifetimes passed, counting for each tenant the tokens its own use started.</item>
/// </list>
/// With <c>--renew-in-background</c> the clients set <see cref="ClientCredentialsOptions.RenewInBackground"/>: a token read
/// since it arrived is renewed at its renewal time without waiting for a request in the window.
/// </summary>
internal static class TenantsLoadTest
{
    private const int Tenants = 100_000;
    private const int Workers = 2;
    private const double ZipfExponent = 1.0;
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan EndpointLatency = TimeSpan.FromMilliseconds(20);

    // The renewal of a token starts at 3/4 of its lifetime (the default margin clamped to a quarter); a request sooner than
    // this after the tenant's last one is a duplicate.
    private static readonly TimeSpan DuplicateBelow = (Lifetime * 0.75) - TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var renewInBackground = args.Contains("--renew-in-background");
        ThreadPool.SetMinThreads(16, 16);
        var clock = Stopwatch.StartNew();
        var endpoint = new TenantsEndpoint(clock, (int)Lifetime.TotalSeconds, EndpointLatency);
        var collection = new ServiceCollection();
        collection.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => endpoint)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        var registering = Stopwatch.StartNew();
        var names = new string[Tenants];
        for (var i = 0; i < Tenants; i++)
        {
            names[i] = ManyClients.Name(i);
            var scope = "scope-" + names[i];
            collection.AddClientCredentialsTokenClient(names[i], o =>
            {
                Wiring.Defaults(o);
                o.Scope = scope;
                o.RenewInBackground = renewInBackground;
            });
        }

        await using var services = collection.BuildServiceProvider();
        var provider = services.GetRequiredService<IClientCredentialsTokenProvider>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tenants: {Tenants:N0} registered in {registering.Elapsed.TotalMilliseconds:N0} ms"));

        var state = new Tenant[Tenants];
        for (var i = 0; i < Tenants; i++)
        {
            state[i] = new Tenant();
        }

        // Rank r of the Zipf law is a random tenant, so the hot tenants are not the first ones filled.
        var byRank = Enumerable.Range(0, Tenants).ToArray();
        new Random(17).Shuffle(byRank);
        var cdf = ZipfCdf(Tenants, ZipfExponent);

        clock.Restart();
        endpoint.Reset();
        var stop = Duration;
        // A request that waits is not awaited in line: a worker (or the filler) goes on, as other callers would.
        var waiting = new ConcurrentQueue<Task>();
        var filler = Task.Run(async () =>
        {
            for (var i = 0; i < Tenants && clock.Elapsed < stop; i++)
            {
                var due = Lifetime * ((double)i / Tenants);
                if (clock.Elapsed < due)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                Track(RequestAsync(provider, names[i], state[i], clock), waiting);
            }
        });
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var requests = 0L;
            while (clock.Elapsed < stop)
            {
                var tenant = byRank[Sample(cdf, random.NextDouble())];
                Track(RequestAsync(provider, names[tenant], state[tenant], clock), waiting);
                if (++requests % 4096 == 0)
                {
                    // Leave the thread pool room for the renewals this traffic starts.
                    await Task.Yield();
                }
            }

            return requests;
        })).ToArray();
        await filler;
        var requests = (await Task.WhenAll(workers)).Sum() + Tenants;
        var elapsed = clock.Elapsed;
        await Task.WhenAll(waiting);
        await Task.Delay(EndpointLatency * 5);

        return Report(endpoint, state, requests, elapsed, clock, renewInBackground);
    }

    private static void Track(ValueTask request, ConcurrentQueue<Task> waiting)
    {
        if (!request.IsCompletedSuccessfully)
        {
            waiting.Enqueue(request.AsTask());
        }
    }

    private static async ValueTask RequestAsync(IClientCredentialsTokenProvider provider, string name, Tenant tenant, Stopwatch clock)
    {
        // What the tenant held before this request: a request that started on a valid token must not wait.
        var last = Volatile.Read(ref tenant.LastToken);
        var lastWasRead = Volatile.Read(ref tenant.LastWasRead);
        var now = TimeProvider.System.GetUtcNow();
        var pending = provider.GetTokenAsync(name);
        AccessToken token;
        if (pending.IsCompletedSuccessfully)
        {
            token = pending.Result;
            // Read from the cache, as the library counts a use: such a token is one background renewal keeps.
            Volatile.Write(ref tenant.LastWasRead, true);
        }
        else
        {
            var began = Stopwatch.GetTimestamp();
            token = await pending;
            var waited = Stopwatch.GetElapsedTime(began).TotalMilliseconds;

            // A wait is expected on first use and once the last token has expired; anything else waited at expiry.
            // After a lapse, the token that expired was either read from the cache (used during its lifetime) or not.
            var kind = last is null ? WaitKind.FirstUse
                : now < last.ExpiresAt - TimeSpan.FromMilliseconds(100) ? WaitKind.WhileValid
                : lastWasRead ? WaitKind.AfterLapseOfUsed
                : WaitKind.AfterLapseOfUnused;
            tenant.RecordWait(kind, waited, clock.Elapsed);
            Volatile.Write(ref tenant.LastWasRead, false);
        }

        Volatile.Write(ref tenant.LastToken, token);
    }

    private static int Report(TenantsEndpoint endpoint, Tenant[] state, long requests, TimeSpan elapsed, Stopwatch clock, bool renewInBackground)
    {
        // Counted until now, not until the traffic stopped: a renewal in the background may come due in between.
        var countedUntil = clock.Elapsed;
        var calls = endpoint.Calls;
        var duplicates = 0;
        var bound = 0.0;
        foreach (var (_, times) in calls)
        {
            var sorted = times.Order().ToArray();
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] - sorted[i - 1] < DuplicateBelow.TotalSeconds)
                {
                    duplicates++;
                }
            }

            // Each token this tenant's use started covers one lifetime (renewed at 3/4 of it): at most this many.
            bound += 1 + Math.Floor((countedUntil.TotalSeconds - sorted[0]) / (Lifetime.TotalSeconds * 0.75));
        }

        var waits = state.SelectMany(t => t.Waits).ToArray();
        int Count(WaitKind k) => waits.Count(w => w.Kind == k);
        var whileValid = waits.Where(w => w.Kind == WaitKind.WhileValid).ToArray();
        var tokenRequests = calls.Values.Sum(t => t.Count);
        var lifetimesPassed = elapsed.TotalSeconds / Lifetime.TotalSeconds;
        var sortedWaits = waits.Select(w => w.Milliseconds).Order().ToArray();
        double At(double p) => sortedWaits.Length == 0 ? 0 : sortedWaits[Math.Min(sortedWaits.Length - 1, (int)(p * sortedWaits.Length))];

        string? why = null;
        if (duplicates > 0)
        {
            why = $"{duplicates} token requests came sooner than {DuplicateBelow.TotalSeconds:0.0} s after the tenant's last";
        }
        else if (whileValid.Length > 0)
        {
            why = $"{whileValid.Length} requests waited for a token while the tenant's token was still valid (first at {whileValid.Min(w => w.At.TotalSeconds):0.00} s)";
        }
        else if (tokenRequests > bound)
        {
            why = $"{tokenRequests:N0} token requests, more than the {bound:N0} the tenants' lifetimes allow";
        }
        else if (calls.Count != state.Length)
        {
            why = $"{calls.Count:N0} tenants asked for a token, expected {state.Length:N0}";
        }

        Console.WriteLine();
        Console.WriteLine("| Renewal | Tenants | Token lifetime | Run | API requests | Token requests | Tenants x lifetimes passed | Expected at most (a token per 3/4 lifetime) | Duplicates | Waits: first use / after lapse of a token read / of one not read / while valid | Wait p50 / p99 / max | Result |");
        Console.WriteLine("|---------|--------:|---------------:|----:|-------------:|---------------:|---------------------------:|---------------------------------------------:|-----------:|---------------------------------------------------------------------------:|---------------------:|--------|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(renewInBackground ? "background" : "traffic")} | {state.Length:N0} | {Lifetime.TotalSeconds:0} s | {elapsed.TotalSeconds:0} s | {requests:N0} | {tokenRequests:N0} | {state.Length * lifetimesPassed:N0} | {bound:N0} | {duplicates} | {Count(WaitKind.FirstUse):N0} / {Count(WaitKind.AfterLapseOfUsed):N0} / {Count(WaitKind.AfterLapseOfUnused):N0} / {whileValid.Length} | {At(0.5):0.0} / {At(0.99):0.0} / {(sortedWaits.Length == 0 ? 0 : sortedWaits[^1]):0.0} ms | {(why is null ? "pass" : "FAIL")} |"));
        if (why is not null)
        {
            Console.WriteLine($"FAILED: tenants: {why}");
        }

        return why is null ? 0 : 1;
    }

    private static double[] ZipfCdf(int n, double s)
    {
        var cdf = new double[n];
        var sum = 0.0;
        for (var k = 0; k < n; k++)
        {
            sum += 1 / Math.Pow(k + 1, s);
            cdf[k] = sum;
        }

        for (var k = 0; k < n; k++)
        {
            cdf[k] /= sum;
        }

        return cdf;
    }

    private static int Sample(double[] cdf, double u)
    {
        var i = Array.BinarySearch(cdf, u);
        return Math.Min(i < 0 ? ~i : i, cdf.Length - 1);
    }

    private enum WaitKind
    {
        FirstUse,
        AfterLapseOfUsed,
        AfterLapseOfUnused,
        WhileValid,
    }

    private readonly record struct Wait(WaitKind Kind, double Milliseconds, TimeSpan At);

    private sealed class Tenant
    {
        public AccessToken? LastToken;
        public bool LastWasRead;
        private readonly object _gate = new();
        private List<Wait>? _waits;

        public IEnumerable<Wait> Waits => (IEnumerable<Wait>?)_waits ?? [];

        public void RecordWait(WaitKind kind, double milliseconds, TimeSpan at)
        {
            lock (_gate)
            {
                (_waits ??= []).Add(new Wait(kind, milliseconds, at));
            }
        }
    }

    /// <summary>A token endpoint that tells tenants apart by their scope and notes when each asked.</summary>
    private sealed class TenantsEndpoint(Stopwatch clock, int expiresIn, TimeSpan latency) : HttpMessageHandler
    {
        private ConcurrentDictionary<string, ConcurrentQueue<double>> _calls = new(StringComparer.Ordinal);
        private int _number;

        public IReadOnlyDictionary<string, IReadOnlyCollection<double>> Calls =>
            _calls.ToDictionary(p => p.Key, p => (IReadOnlyCollection<double>)p.Value.ToArray(), StringComparer.Ordinal);

        public void Reset() => _calls = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);
            var scope = form.Split('&').Select(WebUtility.UrlDecode).FirstOrDefault(p => p!.StartsWith("scope=", StringComparison.Ordinal))?[6..] ?? "?";
            _calls.GetOrAdd(scope, _ => new ConcurrentQueue<double>()).Enqueue(clock.Elapsed.TotalSeconds);
            var number = Interlocked.Increment(ref _number);
            await Task.Delay(latency, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    $$"""{"access_token":"token-{{number}}","token_type":"Bearer","expires_in":{{expiresIn}}}""", Encoding.UTF8, "application/json"),
            };
        }
    }
}
