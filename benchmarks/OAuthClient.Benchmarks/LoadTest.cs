using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>
/// The behaviour under load, in memory and with the real clock: bursts of concurrent requests on a cold cache
/// and right after expiry, and steady traffic across several short token lifetimes. Prints one table row per
/// check and returns 1 if any expectation fails.
/// </summary>
internal static class LoadTest
{
    private const int BurstSize = 10_000;
    private const int BurstTokenSeconds = 2;
    private const int SteadyTokenSeconds = 5;
    private const int SteadyWorkers = 8;
    private static readonly TimeSpan SteadyDuration = TimeSpan.FromSeconds(16);
    private static readonly TimeSpan SteadyLatency = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync()
    {
        ThreadPool.SetMinThreads(64, 64);
        var rows = new List<Row>();
        foreach (var latency in new[] { 0, 50, 200 })
        {
            rows.AddRange(await BurstsAsync(TimeSpan.FromMilliseconds(latency)));
        }

        rows.Add(await SteadyAsync());

        Console.WriteLine();
        Console.WriteLine("| Scenario | Endpoint latency | API requests | Token requests | Expected | p50 | p99 | Max | Result |");
        Console.WriteLine("|----------|-----------------:|-------------:|---------------:|---------:|----:|----:|----:|--------|");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        var failed = rows.Where(r => !r.Passed).ToList();
        foreach (var row in failed)
        {
            Console.WriteLine($"FAILED: {row.Scenario} at {row.LatencyMs} ms: {row.Why}");
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static async Task<Row[]> BurstsAsync(TimeSpan latency)
    {
        var endpoint = new TokenEndpointHandler { Latency = latency, ExpiresIn = BurstTokenSeconds };
        var api = new RecordingApiHandler();
        using var services = Build(endpoint, api);
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(Wiring.ClientName);

        var cold = await BurstAsync(client);
        var coldRow = BurstRow("10,000 concurrent, cold cache", latency, cold, endpoint.TokenRequests, expected: 1);

        // No traffic until the token has really expired: the next burst must wait for, and share, one request.
        await Task.Delay(TimeSpan.FromSeconds(BurstTokenSeconds) + latency + TimeSpan.FromMilliseconds(100));
        var before = endpoint.TokenRequests;
        var expired = await BurstAsync(client);
        var expiredRow = BurstRow("10,000 concurrent, after expiry", latency, expired, endpoint.TokenRequests - before, expected: 1);
        return [coldRow, expiredRow];
    }

    private static async Task<double[]> BurstAsync(HttpClient client)
    {
        // Times run from the release of the burst, so they include the queueing a caller would see.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var began = 0L;
        var calls = Enumerable.Range(0, BurstSize).Select(async i =>
        {
            await start.Task;
            using var response = await client.GetAsync(new Uri($"orders/{i}", UriKind.Relative));
            response.EnsureSuccessStatusCode();
            return Stopwatch.GetElapsedTime(began).TotalMilliseconds;
        }).ToArray();
        began = Stopwatch.GetTimestamp();
        start.SetResult();
        return await Task.WhenAll(calls);
    }

    private static Row BurstRow(string scenario, TimeSpan latency, double[] times, int tokenRequests, int expected) =>
        new(scenario, (int)latency.TotalMilliseconds, times, tokenRequests, expected.ToString(CultureInfo.InvariantCulture),
            tokenRequests == expected ? null : $"{tokenRequests} token requests, expected {expected}");

    /// <summary>
    /// Steady traffic for three 5 s lifetimes against a 200 ms endpoint. The default margin, clamped to a
    /// quarter of the lifetime, renews each token 3.75 s after it arrived: one request per lifetime, never two
    /// close together, and no API call may take as long as the endpoint does.
    /// </summary>
    private static async Task<Row> SteadyAsync()
    {
        var clock = Stopwatch.StartNew();
        var tokenRequestTimes = new ConcurrentQueue<double>();
        var endpoint = new TokenEndpointHandler
        {
            Latency = SteadyLatency,
            ExpiresIn = SteadyTokenSeconds,
            OnTokenRequest = _ => tokenRequestTimes.Enqueue(clock.Elapsed.TotalSeconds),
        };
        var api = new RecordingApiHandler();
        using var services = Build(endpoint, api);
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(Wiring.ClientName);
        (await client.GetAsync(new Uri("orders/warm", UriKind.Relative))).Dispose();

        var times = new ConcurrentBag<double>();
        var workers = Enumerable.Range(0, SteadyWorkers).Select(async w =>
        {
            while (clock.Elapsed < SteadyDuration)
            {
                var began = Stopwatch.GetTimestamp();
                using (var response = await client.GetAsync(new Uri($"orders/{w}", UriKind.Relative)))
                {
                    response.EnsureSuccessStatusCode();
                }

                times.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                await Task.Delay(2);
            }
        }).ToArray();
        await Task.WhenAll(workers);

        var starts = tokenRequestTimes.ToArray();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToArray();
        var renewal = SteadyTokenSeconds * 0.75;
        var minimum = (int)(SteadyDuration.TotalSeconds / SteadyTokenSeconds) + 1;
        var all = times.ToArray();
        string? why = null;
        if (starts.Length < minimum)
        {
            why = $"{starts.Length} token requests in {SteadyDuration.TotalSeconds} s, expected at least {minimum}";
        }
        else if (gaps.Any(g => g < renewal - 0.25 || g > SteadyTokenSeconds))
        {
            why = $"token requests {Format(gaps)} s apart, expected each {renewal:0.00}-{SteadyTokenSeconds} s after the last";
        }
        else if (all.Max() >= SteadyLatency.TotalMilliseconds)
        {
            why = $"a request took {all.Max():0.0} ms: it waited on the token endpoint";
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steady: token requests at {Format(starts)} s; tokens used {api.Tokens.Count}; {all.Length:N0} API requests"));
        return new Row($"steady {SteadyWorkers} workers, {SteadyDuration.TotalSeconds:0} s, {SteadyTokenSeconds} s tokens", (int)SteadyLatency.TotalMilliseconds,
            all, starts.Length, $"1 per {renewal:0.00} s", why);
    }

    private static string Format(double[] values) => string.Join(", ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)));

    private static ServiceProvider Build(TokenEndpointHandler endpoint, RecordingApiHandler api)
    {
        var services = new ServiceCollection();
        services.AddTokenEndpoint(endpoint);
        services.AddOrdersClient().ConfigurePrimaryHttpMessageHandler(() => api).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services.BuildServiceProvider();
    }

    private sealed record Row(string Scenario, int LatencyMs, double[] Times, int TokenRequests, string Expected, string? Why)
    {
        public bool Passed => Why is null;

        public override string ToString()
        {
            var sorted = Times.Order().ToArray();
            double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
            return string.Create(CultureInfo.InvariantCulture,
                $"| {Scenario} | {LatencyMs} ms | {Times.Length:N0} | {TokenRequests} | {Expected} | {At(0.5):0.00} ms | {At(0.99):0.00} ms | {sorted[^1]:0.00} ms | {(Passed ? "pass" : "FAIL")} |");
        }
    }
}
