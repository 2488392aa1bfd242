using System.Net;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>The client-credentials flow against the real OpenIddict server and demo API, over HTTP on 127.0.0.1.</summary>
public sealed class ClientCredentialsTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    private readonly DevAuthorizationServer _server = fixture.Server;

    [Theory]
    [InlineData(ClientAuthenticationMethod.ClientSecretBasic)]
    [InlineData(ClientAuthenticationMethod.ClientSecretPost)]
    public async Task SendAsync_DiscoveryAndClientSecret_ApiSeesClientAndScopes(ClientAuthenticationMethod method)
    {
        using var host = new ClientHost(_server, o => o.ClientAuthentication = method);

        var whoami = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal(host.ClientId, whoami.Subject);
        Assert.Equal([DevClients.ApiReadScope, DevClients.ApiWriteScope], whoami.Scopes);
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_ExplicitTokenEndpoint_ApiSeesClient()
    {
        using var host = new ClientHost(_server, o =>
        {
            o.Authority = null;
            o.TokenEndpoint = _server.TokenEndpoint;
            o.Scope = DevClients.ApiReadScope;
        });

        var whoami = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal([DevClients.ApiReadScope], whoami.Scopes);
    }

    [Fact]
    public async Task SendAsync_RepeatedCalls_ReuseOneToken()
    {
        using var host = new ClientHost(_server);

        for (var i = 0; i < 5; i++)
        {
            await host.WhoAmIAsync();
        }

        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_ThousandConcurrentCallsOnColdCache_ServerCountsOneTokenRequest()
    {
        using var host = new ClientHost(_server, maxApiConnections: 32);
        var client = host.CreateClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 1000).Select(async _ =>
        {
            await start.Task;
            using var response = await client.GetAsync(new Uri("whoami", UriKind.Relative), cancel.Token);
            return response.StatusCode;
        }).ToArray();

        start.SetResult();
        var statuses = await Task.WhenAll(calls);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_TokenAttachedOnlyToApiOrigin_IssuerSeesNoBearer()
    {
        using var host = new ClientHost(_server);
        await host.WhoAmIAsync();

        // A request from the same client to another origin (the issuer) must go without the token.
        using var response = await host.CreateClient().GetAsync(new Uri(_server.Issuer, "dev/token-requests"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.RequestMessage?.Headers.Authorization);
    }
}
