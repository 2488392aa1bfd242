using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Diagnostics;

public sealed class LogCategoryTests : IDisposable
{
    private readonly TestServices _services = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task GetTokenAsync_TokenAcquired_LoggedUnderTheTokenEndpointCategory()
    {
        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var acquired = Assert.Single(_services.Logs.Lines, l => l.EventId.Id == 110);
        Assert.Equal("OAuthClient.TokenEndpoint", acquired.Category);
    }

    [Fact]
    public async Task GetTokenAsync_CacheMiss_LoggedUnderTheTokenCacheCategory()
    {
        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var miss = Assert.Single(_services.Logs.Lines, l => l.EventId.Id == 101 && l.Category.StartsWith("OAuthClient.", StringComparison.Ordinal));
        Assert.Equal("OAuthClient.TokenCache", miss.Category);
    }
}
