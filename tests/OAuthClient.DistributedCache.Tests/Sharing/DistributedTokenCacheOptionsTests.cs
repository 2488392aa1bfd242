using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

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

    [Fact]
    public void UseDistributedTokenCache_SectionWithEverySetting_BindsEachProperty()
    {
        var settings = new Dictionary<string, string?>
        {
            ["KeyPrefix"] = "orders-service:tokens:",
            ["OperationTimeout"] = "00:00:02",
            ["LockExpiry"] = "00:00:20",
            ["LockWaitTimeout"] = "00:00:30",
        };
        using var services = new ServiceCollection()
            .AddHttpClient("orders")
            .UseDistributedTokenCache(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptionsMonitor<DistributedTokenCacheOptions>>().Get("orders");

        Assert.Empty(ConfigurationShape.Unset(typeof(DistributedTokenCacheOptions), settings.Keys));
        Assert.Equal("orders-service:tokens:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(2), options.OperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LockExpiry);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LockWaitTimeout);
    }
}
