using System.Net;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Http;

public sealed partial class AccessTokenHandlerTests
{
    [Fact]
    public async Task SendAsync_Api401_DropsTokenAndRetriesOnceWithNewToken()
    {
        _services.Api.Respond = UnauthorizedOnce();
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-2"], _services.Api.Calls.Select(c => c.Token));
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_Second401_ReturnsItWithoutThirdAttempt()
    {
        _services.Api.Respond = _ => ApiStub.Unauthorized();
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _services.Api.Calls.Count);
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_401WithoutChallenge_RetriedOnceWithNewToken()
    {
        var calls = 0;
        _services.Api.Respond = _ => Interlocked.Increment(ref calls) == 1
            ? new HttpResponseMessage(HttpStatusCode.Unauthorized)
            : new HttpResponseMessage(HttpStatusCode.OK);
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-2"], _services.Api.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task SendAsync_Api401_FirstResponseDisposedBeforeRetry()
    {
        var first = ApiStub.Unauthorized();
        var calls = 0;
        _services.Api.Respond = _ => Interlocked.Increment(ref calls) == 1 ? first : new HttpResponseMessage(HttpStatusCode.OK);
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Throws<ObjectDisposedException>(() => first.Content.ReadAsStream());
    }

    [Fact]
    public async Task SendAsync_InsufficientScope401_NotRetried()
    {
        _services.Api.Respond = _ => ApiStub.Unauthorized("insufficient_scope");
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_services.Api.Calls);
        Assert.Equal(1, _services.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_Api403_NotRetried()
    {
        _services.Api.Respond = _ => new HttpResponseMessage(HttpStatusCode.Forbidden);
        using var client = _services.CreateClient();

        using var response = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(_services.Api.Calls);
    }

    [Fact]
    public async Task SendAsync_ManyConcurrent401sForOneToken_OneNewTokenServesAllRetries()
    {
        using var client = _services.CreateClient();
        (await client.GetAsync("warm-up")).Dispose();
        _services.Api.Respond = call => call.Token == "access-token-1" ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => client.GetAsync($"orders/{i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, _services.TokenEndpoint.RequestCount);
        Assert.Equal(500, _services.Api.Calls.Count(c => c.Token == "access-token-2"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_StreamBodyAnswered401_TokenDroppedAnd401ReturnedWithoutResending()
    {
        // A body that cannot be sent twice is never buffered on our account (issue: streaming uploads and gRPC).
        _services.Api.Respond = UnauthorizedOnce();
        using var client = _services.CreateClient();
        using var body = new StreamContent(new MemoryStream("{\"item\":42}"u8.ToArray()));

        using var response = await client.PostAsync("orders", body);
        using var next = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-2"], _services.Api.Calls.Select(c => c.Token));
        Assert.Equal("{\"item\":42}", _services.Api.Calls.First().Body);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task SendAsync_ByteArrayBodyAnswered401_RetrySendsSameBody()
    {
        _services.Api.Respond = UnauthorizedOnce();
        using var client = _services.CreateClient();
        using var body = new StringContent("{\"item\":42}");

        using var response = await client.PostAsync("orders", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["{\"item\":42}", "{\"item\":42}"], _services.Api.Calls.Select(c => c.Body));
    }

    [Fact]
    public async Task SendAsync_TokenEndpointRefuses_ThrowsWithoutCallingApi()
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_client", "Unknown client."));
        using var client = _services.CreateClient();

        var error = await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync("orders"));

        Assert.Equal("invalid_client", error.Error);
        Assert.Empty(_services.Api.Calls);
    }

    private static Func<ApiStub.RecordedCall, HttpResponseMessage> UnauthorizedOnce()
    {
        var calls = 0;
        return _ => Interlocked.Increment(ref calls) == 1 ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);
    }
}
