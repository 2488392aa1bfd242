using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Http;

public sealed partial class AccessTokenHandlerTests
{
    [Fact]
    public async Task SendAsync_OtherHostThroughSameClient_SentWithoutTokenAndWarned()
    {
        using var client = _services.CreateClient();

        (await client.GetAsync("https://elsewhere.example.net/steal")).Dispose();

        var call = Assert.Single(_services.Api.Calls);
        Assert.Null(call.Token);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
        Assert.Contains(_services.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("elsewhere.example.net", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_SameHostOtherPortOrScheme_SentWithoutToken()
    {
        using var client = _services.CreateClient();

        (await client.GetAsync("https://api.example.com:8443/orders")).Dispose();
        (await client.GetAsync("http://api.example.com/orders")).Dispose();

        Assert.All(_services.Api.Calls, call => Assert.Null(call.Token));
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData("https://api.example.com.evil.net/orders")]
    [InlineData("https://api.example.com@evil.net/orders")]
    [InlineData("https://api.example.com:443@evil.net/orders")]
    [InlineData("https://ap\u0131.example.com/orders")]
    public async Task SendAsync_LookalikeOfApiOrigin_SentWithoutToken(string escaped)
    {
        using var client = _services.CreateClient();

        (await client.GetAsync(System.Text.RegularExpressions.Regex.Unescape(escaped))).Dispose();

        Assert.Null(Assert.Single(_services.Api.Calls).Token);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Theory]
    [InlineData("HTTPS://API.EXAMPLE.COM/orders")]
    [InlineData("https://api.example.com:443/orders")]
    [InlineData("https://api.example.com")]
    public async Task SendAsync_ApiOriginWrittenOtherwise_GetsToken(string uri)
    {
        using var client = _services.CreateClient();

        (await client.GetAsync(uri)).Dispose();

        Assert.Equal("access-token-1", Assert.Single(_services.Api.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_ListedApiOrigins_OnlyThoseGetToken()
    {
        _services.Configure = o =>
        {
            o.ApiOrigins.Add(new Uri("https://orders.example.com"));
            o.ApiOrigins.Add(new Uri("https://stock.example.com:4443"));
        };
        using var client = _services.CreateClient();

        (await client.GetAsync("https://orders.example.com/1")).Dispose();
        (await client.GetAsync("https://stock.example.com:4443/2")).Dispose();
        (await client.GetAsync("https://api.example.com/3")).Dispose();

        Assert.Equal(["access-token-1", "access-token-1", null], _services.Api.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task SendAsync_PlainHttpApiNotLoopback_SentWithoutToken()
    {
        _services.Configure = o => o.ApiOrigins.Add(new Uri("http://orders.example.com"));
        using var client = _services.CreateClient();

        (await client.GetAsync("http://orders.example.com/1")).Dispose();

        Assert.Null(Assert.Single(_services.Api.Calls).Token);
        Assert.Contains(_services.Logs.Lines, l => l.EventId.Id == 201);
    }

    [Fact]
    public async Task SendAsync_PlainHttpApiOnLoopback_GetsToken()
    {
        _services.Configure = o => o.ApiOrigins.Add(new Uri("http://127.0.0.1:5080"));
        using var client = _services.CreateClient();

        (await client.GetAsync("http://127.0.0.1:5080/orders")).Dispose();

        Assert.Equal("access-token-1", Assert.Single(_services.Api.Calls).Token);
    }

    [Fact]
    public async Task SendAsync_CallerSetAuthorization_KeptAsIs()
    {
        using var client = _services.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "callers-own");

        (await client.SendAsync(request)).Dispose();

        Assert.Equal("callers-own", Assert.Single(_services.Api.Calls).Token);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_NoBaseAddressNorApiOrigins_ThrowsSayingWhatToSet()
    {
        _services.ConfigureServices = s => s.AddHttpClient("bare")
            .ConfigurePrimaryHttpMessageHandler(() => _services.Api.Handler)
            .AddClientCredentialsToken(TestServices.Defaults);
        using var client = _services.Services.GetRequiredService<IHttpClientFactory>().CreateClient("bare");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("https://api.example.com/orders"));

        Assert.Contains("ApiOrigins", error.Message, StringComparison.Ordinal);
        Assert.Empty(_services.Api.Calls);
    }
}
