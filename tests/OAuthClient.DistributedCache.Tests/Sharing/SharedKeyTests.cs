using OAuthClient.DistributedCache.Tests.Support;

namespace OAuthClient.DistributedCache.Tests.Sharing;

/// <summary>Which instances share an entry: only those with the same settings and the same credentials.</summary>
public sealed class SharedKeyTests
{
    private readonly UnitInstance.World _shared = new();

    [Fact]
    public async Task GetTokenAsync_SameSettings_SharesOneEntry()
    {
        using var first = new UnitInstance(_shared);
        using var second = new UnitInstance(_shared);

        var token = await first.GetTokenAsync();

        Assert.Equal(token.Value, (await second.GetTokenAsync()).Value);
        Assert.Equal(1, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_InstanceWithAnotherSecret_IsNotServedTheSharedToken()
    {
        using var first = new UnitInstance(_shared);
        using var wrongSecret = new UnitInstance(_shared, configure: o => o.ClientSecret = "revoked-or-wrong");
        await first.GetTokenAsync();

        var token = await wrongSecret.GetTokenAsync();

        Assert.Equal("access-token-2", token.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_InstanceWithAnotherAuthenticationMethod_IsNotServedTheSharedToken()
    {
        using var first = new UnitInstance(_shared);
        using var post = new UnitInstance(_shared, configure: o => o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost);
        await first.GetTokenAsync();

        await post.GetTokenAsync();

        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData("a=b", "c", "a", "b=c")]
    [InlineData("a\u001fb", "c", "a", "b\u001fc")]
    [InlineData("a", "b\",\"c", "a\",\"b", "c")]
    public async Task GetTokenAsync_ParametersThatWouldJoinAlike_DoNotShareAnEntry(string key1, string value1, string key2, string value2)
    {
        using var first = new UnitInstance(_shared, configure: o => o.Parameters[key1] = value1);
        using var second = new UnitInstance(_shared, configure: o => o.Parameters[key2] = value2);
        await first.GetTokenAsync();

        var token = await second.GetTokenAsync();

        Assert.Equal("access-token-2", token.Value);
        Assert.Equal(2, _shared.TokenEndpoint.RequestCount);
    }
}
