using OAuthClient.Desktop.Tests.Support;
using OAuthClient.Tests.Support;

namespace OAuthClient.Desktop.Tests.SignIn;

/// <summary>Without dependency injection, an HttpClient's base address names the API as it does with an HttpClientFactory.</summary>
public sealed class CreateHttpClientTests : IDisposable
{
    private static readonly Uri Orders = new("https://orders.example.com/v1/");

    private readonly SignInFixture _fixture = new();

    public CreateHttpClientTests() => _fixture.Options.ApiOrigins.Clear();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task CreateHttpClient_NoApiOrigins_TokenGoesToTheBaseAddressOrigin()
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(Orders, _fixture.ApiStub.Handler);

        using var response = await client.GetAsync("items");

        Assert.Equal(Orders, client.BaseAddress);
        var call = Assert.Single(_fixture.ApiStub.Calls);
        Assert.Equal(new Uri("https://orders.example.com/v1/items"), call.Uri);
        Assert.Equal("access-token-1", call.Token);
    }

    [Theory]
    [InlineData("https://elsewhere.example.com/items")]
    [InlineData("https://orders.example.com:8443/items")]
    [InlineData("http://orders.example.com/items")]
    [InlineData("https://orders.example.com.evil.example/items")]
    public async Task CreateHttpClient_OtherOrigin_SentWithoutToken(string url)
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(Orders, _fixture.ApiStub.Handler);

        using var response = await client.GetAsync(url);

        Assert.Null(Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Fact]
    public async Task CreateHttpClient_WithApiOrigins_TheyReplaceTheBaseAddressAsWithAFactory()
    {
        _fixture.Options.ApiOrigins.Add(SignInFixture.Api);
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(Orders, _fixture.ApiStub.Handler);

        using var first = await client.GetAsync("items");
        using var second = await client.GetAsync(new Uri(SignInFixture.Api, "me"));

        Assert.Equal([null, "access-token-1"], _fixture.ApiStub.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task CreateHttpClient_NotSignedIn_ThrowsSignInRequired()
    {
        using var client = _fixture.SignIn.CreateHttpClient(Orders, _fixture.ApiStub.Handler);

        await Assert.ThrowsAsync<SignInRequiredException>(() => client.GetAsync("items"));
        Assert.Empty(_fixture.ApiStub.Calls);
    }

    [Theory]
    [InlineData("http://orders.example.com/")]
    [InlineData("ftp://orders.example.com/")]
    [InlineData("relative/path")]
    public void CreateHttpClient_BaseAddressTokensMustNotGoTo_Throws(string address)
    {
        var ex = Assert.Throws<ArgumentException>(() => _fixture.SignIn.CreateHttpClient(new Uri(address, UriKind.RelativeOrAbsolute)));

        Assert.Equal("baseAddress", ex.ParamName);
    }

    [Fact]
    public async Task CreateHttpClient_LoopbackOverHttp_Allowed()
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(new Uri("http://127.0.0.1:5080/"), _fixture.ApiStub.Handler);

        using var response = await client.GetAsync("items");

        Assert.Equal("access-token-1", Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Theory]
    [InlineData("http://[::1]:5080/")]
    [InlineData("http://localhost:5080/")]
    [InlineData("https://ORDERS.Example.COM/v1/")]
    [InlineData("https://user@orders.example.com/v1/")]
    [InlineData("https://b\u00fccher.example/")]
    public async Task CreateHttpClient_BaseAddressWrittenOddly_TokenGoesToItsOrigin(string address)
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(new Uri(address), _fixture.ApiStub.Handler);

        using var response = await client.GetAsync("items");

        Assert.Equal("access-token-1", Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Theory]
    [InlineData("https://orders.example.com@evil.example/items")]
    [InlineData("https://orders.example.com./items")]
    [InlineData("https://\u043erders.example.com/items")] // a Cyrillic o
    [InlineData("https://[::1]/items")]
    public async Task CreateHttpClient_LookAlikeOrigin_SentWithoutToken(string url)
    {
        await _fixture.SignIn.SignInAsync();
        using var client = _fixture.SignIn.CreateHttpClient(Orders, _fixture.ApiStub.Handler);

        using var response = await client.GetAsync(new Uri(url));

        Assert.Null(Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Fact]
    public void CreateHttpClient_RefusedBaseAddressWithCredentials_MessageDoesNotShowThem()
    {
        var ex = Assert.Throws<ArgumentException>(
            () => _fixture.SignIn.CreateHttpClient(new Uri("http://me:pa55w0rd@orders.example.com/v1/?api_key=k3y-s3cret")));

        Assert.DoesNotContain("pa55w0rd", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("k3y-s3cret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("orders.example.com", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateHandler_NoApiOrigins_ThrowsNamingCreateHttpClient()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _fixture.SignIn.CreateHandler());

        Assert.Contains("CreateHttpClient", ex.Message, StringComparison.Ordinal);
    }
}
