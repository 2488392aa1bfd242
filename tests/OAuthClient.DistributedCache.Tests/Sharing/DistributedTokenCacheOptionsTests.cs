using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OAuthClient.DistributedCache.Tests.Sharing;

public sealed class DistributedTokenCacheOptionsTests
{
    [Fact]
    public void Get_ZeroTimeoutAndEmptyPrefix_ReportsBothNamingClient()
    {
        using var services = new ServiceCollection()
            .AddHttpClient("orders")
            .UseDistributedTokenCache(o =>
            {
                o.KeyPrefix = "";
                o.OperationTimeout = TimeSpan.Zero;
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DistributedTokenCacheOptions>>().Get("orders"));

        Assert.Equal(2, error.Failures.Count());
        Assert.All(error.Failures, f => Assert.Contains("'orders'", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_LockWaitOutlastsLockExpiry()
    {
        var options = new DistributedTokenCacheOptions();

        Assert.True(options.LockWaitTimeout > options.LockExpiry);
        Assert.Equal(TimeSpan.FromSeconds(1), options.OperationTimeout);
    }
}
