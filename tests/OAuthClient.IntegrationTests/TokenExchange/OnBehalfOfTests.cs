using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.TokenExchange;

/// <summary>
/// A user's call flowing through a front API to a downstream API over real HTTP: the front API validates the user's token,
/// its downstream HttpClient exchanges it (RFC 8693) at the development server, and the downstream API sees the user and
/// the front API acting for them.
/// </summary>
public sealed class OnBehalfOfTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _clientId = $"{DevClients.ServiceClientId}.{Guid.NewGuid():N}";
    private WebApplication? _front;

    private DevAuthorizationServer Server => fixture.Server;

    public async Task InitializeAsync() => _front = await StartFrontApiAsync(useActorToken: true);

    public async Task DisposeAsync()
    {
        if (_front is not null)
        {
            await _front.DisposeAsync();
        }
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Profile_UserCallsFrontApi_DownstreamSeesTheUserAndTheActor()
    {
        var user = await DevServerTokens.GetUserAccessTokenAsync(_http, Server);

        var whoAmI = await CallFrontApiAsync(user);

        Assert.Equal(DevClients.TestUserSubject, whoAmI.Subject);
        Assert.Equal(_clientId, whoAmI.ClientId);
        Assert.NotNull(whoAmI.Actor);
        // The actor is the front API itself: its client-credentials token went with the exchange.
        Assert.Equal(_clientId, ActorOf(whoAmI.Actor.Value));
    }

    [Fact]
    public async Task Profile_200ConcurrentCallsOfOneUser_OneExchange()
    {
        var user = await DevServerTokens.GetUserAccessTokenAsync(_http, Server);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => CallFrontApiAsync(user)));

        Assert.All(answers, a => Assert.Equal(DevClients.TestUserSubject, a.Subject));
        Assert.Equal(1, Server.GetTokenExchangeRequestCount(_clientId));
    }

    [Fact]
    public async Task Profile_TwoUsersConcurrently_TwoExchangesNeverCrossed()
    {
        var alice = await DevServerTokens.GetUserAccessTokenAsync(_http, Server, "alice");
        var bob = await DevServerTokens.GetUserAccessTokenAsync(_http, Server, "bob");

        var calls = Enumerable.Range(0, 100).Select(async i =>
        {
            var expected = i % 2 == 0 ? "alice" : "bob";
            var answer = await CallFrontApiAsync(i % 2 == 0 ? alice : bob);
            return (Expected: expected, Seen: answer.Subject);
        });
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(r.Expected, r.Seen));
        Assert.Equal(2, Server.GetTokenExchangeRequestCount(_clientId));
    }

    [Fact]
    public async Task Profile_ForeignToken_FrontApiRefusesAndNothingIsExchanged()
    {
        // A token the server issued to a worker (aud demo-api, not front-api): the front API's own validation refuses it.
        var worker = await DevServerTokens.GetClientTokenAsync(_http, Server, DevClients.WorkerClientId, DevClients.WorkerClientSecret);

        using var response = await SendToFrontApiAsync(worker);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Server.GetTokenExchangeRequestCount(_clientId));
    }

    [Fact]
    public async Task Profile_UnknownAudience_InvalidTargetReachesTheFrontApi()
    {
        await using var front = await StartFrontApiAsync(useActorToken: false, audience: "no-such-api");
        var user = await DevServerTokens.GetUserAccessTokenAsync(_http, Server);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(LoopbackApps.Address(front)), "profile"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("invalid_target", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Profile_WithoutActor_DownstreamSeesTheUserOnly()
    {
        await using var front = await StartFrontApiAsync(useActorToken: false);
        var user = await DevServerTokens.GetUserAccessTokenAsync(_http, Server);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(LoopbackApps.Address(front)), "profile"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
        using var response = await _http.SendAsync(request);
        var whoAmI = await response.Content.ReadFromJsonAsync<DownstreamWhoAmI>();

        Assert.Equal(DevClients.TestUserSubject, whoAmI!.Subject);
        Assert.True(whoAmI.Actor is null or { ValueKind: JsonValueKind.Null }, "no actor token was sent, so the token has no act");
    }

    private async Task<DownstreamWhoAmI> CallFrontApiAsync(string userToken)
    {
        using var response = await SendToFrontApiAsync(userToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DownstreamWhoAmI>())!;
    }

    private async Task<HttpResponseMessage> SendToFrontApiAsync(string userToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(LoopbackApps.Address(_front!)), "profile"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
        return await _http.SendAsync(request);
    }

    private static string? ActorOf(JsonElement act) => act.TryGetProperty("sub", out var sub) ? sub.GetString() : null;

    // The front API as a user would write it: JwtBearer for its own audience, and a downstream client with token exchange.
    private async Task<WebApplication> StartFrontApiAsync(bool useActorToken, string audience = DevClients.DownstreamAudience)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.Authority = Server.Issuer.AbsoluteUri;
            jwt.Audience = DevClients.ServiceClientId;
            jwt.RequireHttpsMetadata = false;
            jwt.MapInboundClaims = false;
        });

        builder.Services.AddClientCredentialsTokenClient(DevClients.ServiceClientId, o =>
        {
            o.Authority = Server.Issuer;
            o.ClientId = _clientId;
            o.ClientSecret = DevClients.ServiceClientSecret;
        });
        builder.Services.AddHttpClient("downstream", c => c.BaseAddress = Server.DownstreamApiBaseAddress)
            .AddTokenExchange(o =>
            {
                o.TokenClientName = DevClients.ServiceClientId;
                o.Audience = audience;
                o.UseActorToken = useActorToken;
            })
            .UseIncomingAccessToken();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/profile", async (IHttpClientFactory factory, HttpContext context) =>
        {
            try
            {
                var answer = await factory.CreateClient("downstream").GetStringAsync(new Uri("downstream/whoami", UriKind.Relative), context.RequestAborted);
                return Results.Content(answer, "application/json");
            }
            catch (TokenRequestException ex)
            {
                // What a front API does with a refused exchange: the OAuth error, never the tokens.
                return Results.Text(ex.Error ?? "token_request_failed", statusCode: StatusCodes.Status502BadGateway);
            }
        }).RequireAuthorization();
        await app.StartAsync();
        return app;
    }
}
