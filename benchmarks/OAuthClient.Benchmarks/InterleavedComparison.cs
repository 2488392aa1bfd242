using System.Diagnostics;
using System.Globalization;

namespace OAuthClient.Benchmarks;

/// <summary>
/// The handler rows again, measured in alternation: short rounds of each benchmark take turns, so a build that
/// another user starts on a shared machine slows every row alike. The ratio of medians it prints is the check
/// for the "within 5 % of the fixed-header handler" target when BenchmarkDotNet's sequential rows drift apart.
/// </summary>
internal static class InterleavedComparison
{
    private const int Rounds = 1_000;
    private const int OpsPerRound = 2_000;

    public static async Task<int> RunAsync()
    {
        var benchmarks = new HandlerBenchmarks();
        await benchmarks.SetupAsync();
        var rows = new (string Name, Func<Task> Run)[]
        {
            ("Factory client, fixed-header handler", benchmarks.FixedHeaderHandler),
            ("Factory client, OAuthClient handler (hit)", benchmarks.OAuthClientHandler),
            ("Raw HttpClient, default header", benchmarks.RawHttpClient),
        };
        var samples = rows.Select(_ => new List<double>(Rounds)).ToArray();
        var allocated = new long[rows.Length];

        for (var round = -20; round < Rounds; round++)
        {
            // Rotate the order too, so no row always runs right after another.
            for (var j = 0; j < rows.Length; j++)
            {
                var i = (j + Math.Max(round, 0)) % rows.Length;
                var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
                var began = Stopwatch.GetTimestamp();
                for (var op = 0; op < OpsPerRound; op++)
                {
                    await rows[i].Run();
                }

                var elapsed = Stopwatch.GetElapsedTime(began);
                if (round >= 0)
                {
                    samples[i].Add(elapsed.TotalNanoseconds / OpsPerRound);
                    allocated[i] += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
                }
            }
        }

        benchmarks.Cleanup();
        var baseline = Median(samples[0]);
        var baselineBytes = allocated[0] / (double)(Rounds * OpsPerRound);
        Console.WriteLine($"Interleaved: {Rounds} rounds x {OpsPerRound:N0} requests per row, medians of the per-round means.");
        Console.WriteLine("| Row | Median | Ratio | Allocated | vs baseline |");
        Console.WriteLine("|-----|-------:|------:|----------:|------------:|");
        for (var i = 0; i < rows.Length; i++)
        {
            var median = Median(samples[i]);
            var bytes = allocated[i] / (double)(Rounds * OpsPerRound);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rows[i].Name} | {median:N1} ns | {median / baseline:0.000} | {bytes:N0} B | {bytes - baselineBytes:+0;-0;0} B |"));
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
