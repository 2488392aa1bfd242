using System.Diagnostics;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>What the caller sees when the real server refuses a token or cannot be reached.</summary>
public sealed class TokenRequestFailureTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>
{
    [Fact]
    public async Task SendAsync_WrongSecret_ThrowsInvalidClient()
    {
        using var host = new ClientHost(fixture.Server, o => o.ClientSecret = DevClients.WorkerClientSecret + "x");

        var ex = await Assert.ThrowsAsync<TokenRequestException>(host.WhoAmIAsync);

        Assert.Equal("invalid_client", ex.Error);
        Assert.Equal(ClientHost.ClientName, ex.ClientName);
        Assert.Equal(fixture.Server.TokenEndpoint, ex.Endpoint);
        Assert.Equal(1, fixture.Server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_UnknownScope_ThrowsInvalidScope()
    {
        using var host = new ClientHost(fixture.Server, o => o.Scope = "api.delete");

        var ex = await Assert.ThrowsAsync<TokenRequestException>(host.WhoAmIAsync);

        Assert.Equal("invalid_scope", ex.Error);
        Assert.Equal(1, fixture.Server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_FailedTokenRequest_IsNotCachedAndNeverReachesApi()
    {
        using var host = new ClientHost(fixture.Server, o => o.ClientSecret = "wrong");

        await Assert.ThrowsAsync<TokenRequestException>(host.WhoAmIAsync);
        await Assert.ThrowsAsync<TokenRequestException>(host.WhoAmIAsync);

        Assert.Equal(2, fixture.Server.GetTokenRequestCount(host.ClientId));
        Assert.Equal(0, fixture.Server.ApiUnauthorizedCount); // no request went out without a token
    }

    [Fact]
    public async Task SendAsync_ServerStoppedThenBack_FailsClearlyThenWorksAgain()
    {
        await using var server = await DevAuthorizationServer.StartAsync();
        using var host = new ClientHost(server, o =>
        {
            o.TokenRequestRetries = 2;
            o.TokenRequestRetryDelay = TimeSpan.FromMilliseconds(20);
        });
        await host.WhoAmIAsync();
        host.Tokens.InvalidateToken(ClientHost.ClientName, await host.Tokens.GetTokenAsync(ClientHost.ClientName));

        var issuer = server.Issuer;
        await server.StopAuthorizationServerAsync();
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<TokenRequestException>(host.WhoAmIAsync);
        watch.Stop();

        Assert.Equal(server.TokenEndpoint, ex.Endpoint);
        Assert.Null(ex.Error);
        Assert.IsType<HttpRequestException>(ex.InnerException, exactMatch: false);
        Assert.Contains("could not reach the token endpoint", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The failure took {watch.Elapsed}.");
        Assert.Equal(2, host.Logs.Lines.Count(l => l.EventId.Id == 112)); // TokenRequestRetry: 3 attempts in all

        await server.RestartAuthorizationServerAsync();
        var whoami = await host.WhoAmIAsync();

        Assert.Equal(issuer, server.Issuer);
        Assert.Equal(host.ClientId, whoami.ClientId);
        Assert.Equal(2, server.GetTokenRequestCount(host.ClientId));
    }
}
