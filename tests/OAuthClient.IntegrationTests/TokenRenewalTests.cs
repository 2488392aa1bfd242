using System.Net;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>Tokens that expire or that the API rejects, renewed without the caller noticing.</summary>
public sealed class TokenRenewalTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    [Fact]
    public async Task SendAsync_TokenExpiresOnClientClock_FetchesFreshTokenTransparently()
    {
        var server = fixture.Server;
        var clientTime = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        using var host = new ClientHost(server, time: clientTime);
        await host.WhoAmIAsync();
        var first = await host.Tokens.GetTokenAsync(ClientHost.ClientName);

        // The server said expires_in = its lifetime; once that has passed on the client's clock, the token is not reused.
        clientTime.Advance(server.AccessTokenLifetime);
        var whoami = await host.WhoAmIAsync();
        var second = await host.Tokens.GetTokenAsync(ClientHost.ClientName);

        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
        Assert.NotEqual(first.Value, second.Value);
        // expires_in, counted by the server in whole seconds, sets the expiry on the client's clock.
        Assert.InRange(second.ExpiresAt, clientTime.GetUtcNow() + server.AccessTokenLifetime - TimeSpan.FromSeconds(2), clientTime.GetUtcNow() + server.AccessTokenLifetime);
    }

    [Fact]
    public async Task SendAsync_TokenExpiredAtApi_RefreshesOnceAndRetries()
    {
        var serverTime = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions
        {
            AccessTokenLifetime = TimeSpan.FromMinutes(1),
            TimeProvider = serverTime,
        });
        using var host = new ClientHost(server);
        await host.WhoAmIAsync();

        // The token's exp passes at the API while the client's clock stands still: only the API's 401 tells.
        serverTime.Advance(TimeSpan.FromMinutes(2));
        var whoami = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal(1, server.ApiUnauthorizedCount);
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_ApiRejectsToken_RefreshesOnceAndRetries()
    {
        await using var server = await DevAuthorizationServer.StartAsync();
        using var host = new ClientHost(server);
        await host.WhoAmIAsync();

        server.RevokeIssuedAccessTokens();
        var whoami = await host.WhoAmIAsync();

        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal(1, server.ApiUnauthorizedCount);
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_ManyCallsWithRejectedToken_ShareOneRefresh()
    {
        await using var server = await DevAuthorizationServer.StartAsync();
        using var host = new ClientHost(server);
        await host.WhoAmIAsync();
        var client = host.CreateClient();

        server.RevokeIssuedAccessTokens();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await client.GetAsync(new Uri("whoami", UriKind.Relative));
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.InRange(server.ApiUnauthorizedCount, 1, 50);
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
    }
}
