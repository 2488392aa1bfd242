using System.Diagnostics;
using System.Globalization;

namespace OAuthClient.Benchmarks;

/// <summary>
/// The handler rows again, measured in alternation: short rounds of each benchmark take turns, so a build that
/// another user starts on a shared machine slows every row alike. The ratio of medians it prints is the check
/// for the "within 3 % of the fixed-header handler" target when BenchmarkDotNet's sequential rows drift apart.
/// </summary>
/// <remarks>
/// One process settles on one code layout and one set of profile-guided choices for the framework code that every row
/// shares (which handler a guarded devirtualization favours, say), and that moves a process's ratio by a few percent
/// either way: the spread of single processes was 1.005-1.056 for the same tree. So the comparison runs in several
/// processes (<c>--launches N</c>, 5 by default), each measuring every row alike, and reports the median of their
/// ratios with the lowest and highest.
/// </remarks>
internal static class InterleavedComparison
{
    private const int Rounds = 1_000;
    private const int OpsPerRound = 2_000;

    // Enough for tiered compilation to reach its optimized code (it waits 100 ms, then profiles) before anything counts.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private static readonly string[] RowNames =
    [
        "Factory client, fixed-header handler",
        "Factory client, OAuthClient handler (hit)",
        "Raw HttpClient, default header",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--one-launch"))
        {
            await RunOneLaunchAsync();
            return 0;
        }

        var at = Array.IndexOf(args, "--launches");
        var launches = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 5;
        var results = new List<Row[]>();
        for (var launch = 1; launch <= launches; launch++)
        {
            var rows = await LaunchAsync();
            results.Add(rows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"launch {launch}/{launches}: OAuthClient handler {rows[1].Ratio:0.000}, raw {rows[2].Ratio:0.000} of the fixed-header handler ({rows[0].Median:N1} ns)"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Interleaved: {launches} processes, each {Rounds} rounds x {OpsPerRound:N0} requests per row (medians of the per-round means); median of the processes, and their lowest-highest ratio."));
        Console.WriteLine("| Row | Median | Ratio | Lowest-highest ratio | Allocated | vs baseline |");
        Console.WriteLine("|-----|-------:|------:|---------------------:|----------:|------------:|");
        for (var i = 0; i < RowNames.Length; i++)
        {
            var ratios = results.Select(r => r[i].Ratio).ToList();
            var bytes = Median(results.Select(r => r[i].Bytes).ToList());
            var baselineBytes = Median(results.Select(r => r[0].Bytes).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {RowNames[i]} | {Median(results.Select(r => r[i].Median).ToList()):N1} ns | {Median(ratios):0.000} | " +
                $"{ratios.Min():0.000}-{ratios.Max():0.000} | {bytes:N0} B | {bytes - baselineBytes:+0;-0;0} B |"));
        }

        return 0;
    }

    // Runs this program again with --one-launch and reads its rows back.
    private static async Task<Row[]> LaunchAsync()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(InterleavedComparison).Assembly.Location);
        }

        start.ArgumentList.Add("--interleaved");
        start.ArgumentList.Add("--one-launch");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"A launch of the interleaved comparison failed ({process.ExitCode}):\n{output}");
        }

        return output.Split('\n')
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length > 5 && RowNames.Contains(cells[1]))
            .Select(cells => new Row(
                cells[1],
                double.Parse(cells[2].Replace(" ns", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture),
                double.Parse(cells[3], CultureInfo.InvariantCulture),
                double.Parse(cells[4].Replace(" B", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture)))
            .OrderBy(row => Array.IndexOf(RowNames, row.Name))
            .ToArray();
    }

    private static async Task RunOneLaunchAsync()
    {
        var benchmarks = new HandlerBenchmarks();
        await benchmarks.SetupAsync();
        var rows = new Func<Task>[] { benchmarks.FixedHeaderHandler, benchmarks.OAuthClientHandler, benchmarks.RawHttpClient };
        var samples = rows.Select(_ => new List<double>(Rounds)).ToArray();
        var allocated = new long[rows.Length];

        var warming = Stopwatch.StartNew();
        for (var round = 0; warming.Elapsed < WarmUp; round++)
        {
            await RoundAsync(rows, round, samples: null, allocated: null);
        }

        for (var round = 0; round < Rounds; round++)
        {
            await RoundAsync(rows, round, samples, allocated);
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
                $"| {RowNames[i]} | {median:N1} ns | {median / baseline:0.000} | {bytes:N0} B | {bytes - baselineBytes:+0;-0;0} B |"));
        }
    }

    // One round: each row in turn, the order rotated so that no row always runs right after another.
    private static async Task RoundAsync(Func<Task>[] rows, int round, List<double>[]? samples, long[]? allocated)
    {
        for (var j = 0; j < rows.Length; j++)
        {
            var i = (j + round) % rows.Length;
            var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var began = Stopwatch.GetTimestamp();
            for (var op = 0; op < OpsPerRound; op++)
            {
                await rows[i]();
            }

            var elapsed = Stopwatch.GetElapsedTime(began);
            if (samples is not null && allocated is not null)
            {
                samples[i].Add(elapsed.TotalNanoseconds / OpsPerRound);
                allocated[i] += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Row(string Name, double Median, double Ratio, double Bytes);
}
