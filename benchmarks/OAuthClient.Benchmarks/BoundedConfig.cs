using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace OAuthClient.Benchmarks;

/// <summary>
/// A short job: the machine is small and shared, so every benchmark gets one launch, 3 warm-up and 15
/// measured iterations, and the whole run stays within a few minutes. Medians are reported, as they
/// resist the noise of other processes better than means.
/// </summary>
internal sealed class BoundedConfig : ManualConfig
{
    public BoundedConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Bounded"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        HideColumns(Column.Error, Column.StdDev, Column.RatioSD);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}
