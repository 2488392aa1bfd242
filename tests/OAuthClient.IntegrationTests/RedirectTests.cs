using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>Where a token goes when the API redirects: real Kestrel servers on two loopback hosts, real redirects.</summary>
public sealed class RedirectTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IAsyncLifetime
{
    private readonly DevAuthorizationServer _server = fixture.Server;
    private readonly ConcurrentQueue<string?> _seenByApi = new();
    private readonly ConcurrentQueue<string?> _seenElsewhere = new();
    private readonly ConcurrentQueue<string?> _proofsElsewhere = new();
    private readonly ConcurrentQueue<string?> _proofsSeenByApi = new();
    private WebApplication? _elsewhere;
    private WebApplication? _api;

    public async Task InitializeAsync()
    {
        // 127.0.0.2 is another host to HttpClient, though still this machine.
        _elsewhere = await LoopbackApps.StartAsync("http://127.0.0.2:0", app =>
        {
            app.MapGet("/landing", (HttpRequest r) =>
            {
                _seenElsewhere.Enqueue(r.Headers.Authorization.FirstOrDefault());
                _proofsElsewhere.Enqueue(r.Headers["DPoP"].FirstOrDefault());
                return "landed";
            });
            app.MapGet("/trap", (HttpRequest r) =>
            {
                _seenElsewhere.Enqueue(r.Headers.Authorization.FirstOrDefault());
                r.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return Results.Unauthorized();
            });
        });
        var landing = new Uri(new Uri(LoopbackApps.Address(_elsewhere)), "landing");
        var trap = new Uri(new Uri(LoopbackApps.Address(_elsewhere)), "trap");
        _api = await LoopbackApps.StartAsync("http://127.0.0.1:0", app =>
        {
            app.MapGet("/jump", (HttpRequest r) =>
            {
                _seenByApi.Enqueue(r.Headers.Authorization.FirstOrDefault());
                _proofsSeenByApi.Enqueue(r.Headers["DPoP"].FirstOrDefault());
                return Results.Redirect(landing.AbsoluteUri);
            });
            app.MapGet("/jump-to-trap", () => Results.Redirect(trap.AbsoluteUri));
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _api, _elsewhere })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task SendAsync_ApiRedirectsToOtherHost_TokenNotSentThere()
    {
        var api = new Uri(LoopbackApps.Address(_api!));
        using var host = new ClientHost(_server, o => o.ApiOrigins.Add(api));

        using var response = await host.CreateClient().GetAsync(new Uri(api, "jump"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("landed", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("Bearer ", Assert.Single(_seenByApi), StringComparison.Ordinal);
        Assert.Null(Assert.Single(_seenElsewhere));
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_RedirectedHostAnswers401_NoRetryAndNoTokenSentThere()
    {
        var api = new Uri(LoopbackApps.Address(_api!));
        using var host = new ClientHost(_server, o => o.ApiOrigins.Add(api));

        using var response = await host.CreateClient().GetAsync(new Uri(api, "jump-to-trap"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Assert.Single(_seenElsewhere));
        Assert.Equal(1, _server.GetTokenRequestCount(host.ClientId));
    }

    [Fact]
    public async Task SendAsync_DpopApiRedirectsToOtherHost_NeitherTokenNorProofSentThere()
    {
        var api = new Uri(LoopbackApps.Address(_api!));
        using var host = new ClientHost(_server, o =>
        {
            o.ApiOrigins.Add(api);
            o.Dpop.Enabled = true;
        });

        using var response = await host.CreateClient().GetAsync(new Uri(api, "jump"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("landed", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("DPoP ", Assert.Single(_seenByApi), StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(_proofsSeenByApi));
        Assert.Null(Assert.Single(_seenElsewhere));
        Assert.Null(Assert.Single(_proofsElsewhere));
    }

    [Fact]
    public async Task SendAsync_DpopClientWhoseTransportFollowsNoRedirects_RedirectGoesBackToCaller()
    {
        var api = new Uri(LoopbackApps.Address(_api!));
        using var host = new ClientHost(
            _server,
            o =>
            {
                o.ApiOrigins.Add(api);
                o.Dpop.Enabled = true;
            },
            allowAutoRedirect: false);

        using var response = await host.CreateClient().GetAsync(new Uri(api, "jump"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("DPoP ", Assert.Single(_seenByApi), StringComparison.Ordinal);
        Assert.Empty(_seenElsewhere);
    }
}
