using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.TokenExchange;

/// <summary>Token exchange beside the real <c>AddStandardResilienceHandler()</c>, in both orders.</summary>
public sealed class TokenExchangePipelineTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAsync_503Then401Then200_OneNewExchangeAndTheUsersTokensOnly(bool resilienceOutside)
    {
        using var host = resilienceOutside
            ? new TokenExchangeHost(pipeline: AddResilience)
            : new TokenExchangeHost(pipelineAfter: AddResilience);
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.Unauthorized, HttpStatusCode.OK]);
        host.Api.Respond = _ => answers.Dequeue() switch
        {
            HttpStatusCode.Unauthorized => ApiStub.Unauthorized(),
            var status => new HttpResponseMessage(status),
        };
        using var client = host.CreateClient();

        using var response = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["for-alice-token-1", "for-alice-token-1", "for-alice-token-2"], host.Api.Calls.Select(c => c.Token));
        Assert.Equal(2, host.Exchanges.Count);
    }

    // The standard handler as shipped, without its back-off waits: they would wait on the host's fake clock.
    private static void AddResilience(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
    {
        o.Retry.Delay = TimeSpan.Zero;
        o.Retry.BackoffType = Polly.DelayBackoffType.Constant;
        o.Retry.UseJitter = false;
    });
}
