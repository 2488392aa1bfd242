using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Http;

/// <summary>
/// A retry handler outside ours re-sends the same request message, with the Authorization header our handler set on the
/// first attempt still on it: the handler must know that header is its own.
/// </summary>
public sealed class OuterRetryTests : IDisposable
{
    private readonly TokenEndpointStub _tokens = new();
    private readonly ApiStub _api = new();
    private ServiceProvider? _provider;

    public void Dispose() => _provider?.Dispose();

    [Fact]
    public async Task SendAsync_OuterRetryAfter503Then401_OurHandlerRetriesWithNewToken()
    {
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.Unauthorized, HttpStatusCode.OK]);
        _api.Respond = _ => answers.Dequeue() switch
        {
            HttpStatusCode.Unauthorized => ApiStub.Unauthorized(),
            var status => new HttpResponseMessage(status),
        };
        using var client = CreateClient();

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-1", "access-token-2"], _api.Calls.Select(c => c.Token));
        Assert.Equal(2, _tokens.RequestCount);
    }

    [Fact]
    public async Task SendAsync_OuterRetryOfAnAnsweredRequest_FreshLookupKeepsOneToken()
    {
        var first = true;
        _api.Respond = _ =>
        {
            var status = first ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK;
            first = false;
            return new HttpResponseMessage(status);
        };
        using var client = CreateClient();

        using var response = await client.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["access-token-1", "access-token-1"], _api.Calls.Select(c => c.Token));
        Assert.Equal(1, _tokens.RequestCount);
    }

    private HttpClient CreateClient()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero)));
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _tokens.Handler);
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => _api.Handler)
            .AddHttpMessageHandler(() => new RetryOn503())
            .AddClientCredentialsToken(TestServices.Defaults);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IHttpClientFactory>().CreateClient(TestServices.ClientName);
    }

    /// <summary>What a resilience handler does: sends the same message again after a 503, at most twice.</summary>
    private sealed class RetryOn503 : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 3)
                {
                    return response;
                }

                response.Dispose();
            }
        }
    }
}
