using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace OAuthClient.Benchmarks;

/// <summary>
/// A short job: the machine is small and shared, so every benchmark gets one launch, 3 warm-up and 15
/// measured iterations of 250 ms, and the whole run stays within a few minutes. Medians are reported, as
/// they resist the noise of other processes better than means.
/// </summary>
internal class BoundedConfig : ManualConfig
{
    public BoundedConfig()
        : this(launchCount: 1, iterationCount: 15)
    {
    }

    protected BoundedConfig(int launchCount, int iterationCount)
    {
        AddJob(Job.Default
            .WithLaunchCount(launchCount)
            .WithWarmupCount(3)
            .WithIterationCount(iterationCount)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Bounded"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        HideColumns(Column.Error, Column.StdDev, Column.RatioSD);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>
/// For rows whose target is a few percent apart: three processes per row, 10 iterations each. A single process
/// can land its code at a lucky or unlucky alignment, and another user's build can slow one row and not the next;
/// three launches spread both over every row.
/// </summary>
internal sealed class ThreeLaunchConfig : BoundedConfig
{
    public ThreeLaunchConfig()
        : base(launchCount: 3, iterationCount: 10)
    {
    }
}
