using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Samples.OnBehalfOfSample;

/// <summary>
/// The front API: a JwtBearer-protected ASP.NET Core app whose <c>GET /profile</c> calls the downstream API on behalf of
/// its caller. The caller's token is exchanged (RFC 8693) for one addressed to the downstream API, once per user.
/// </summary>
internal sealed class FrontApi : IAsyncDisposable
{
    public const string ProfilePath = "profile";

    private const string TokenClient = "front-api";
    private const string DownstreamClient = "downstream";

    private readonly WebApplication _app;

    private FrontApi(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Gets the address the front API listens at, on 127.0.0.1 and a port of its own.</summary>
    public Uri Address { get; }

    public static async Task<FrontApi> StartAsync(FrontApiSettings settings, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders().AddSimpleConsole(c => c.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning).AddFilter("OAuthClient", LogLevel.Information);

        // The user's token is for this API: its audience is the front API's client id.
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.Authority = settings.Authority.AbsoluteUri;
            jwt.Audience = settings.ClientId;
            jwt.RequireHttpsMetadata = !settings.Authority.IsLoopback;
            jwt.MapInboundClaims = false;
        });

        // JwtBearer reads the authority's metadata with no way to cancel the read (IdentityModel shares one read between
        // requests): its backchannel ends its requests when the app stops, so a stuck authority cannot hold a stop back.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IHostApplicationLifetime>(
            (jwt, lifetime) => jwt.BackchannelHttpHandler = new EndsWhenStopping(lifetime.ApplicationStopping) { InnerHandler = new SocketsHttpHandler() });

        // The front API authenticates as itself to exchange; its own client-credentials token goes along as the actor.
        builder.Services.AddClientCredentialsTokenClient(TokenClient, o =>
        {
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
        });
        builder.Services.AddHttpClient(DownstreamClient, c => c.BaseAddress = settings.Downstream)
            .AddTokenExchange(o =>
            {
                o.TokenClientName = TokenClient;
                o.Audience = settings.Audience;
                o.UseActorToken = true;
            })
            .UseIncomingAccessToken();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/" + ProfilePath, GetProfileAsync).RequireAuthorization();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FrontApi(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        // A quarter second for requests in flight, then Kestrel aborts the rest (and waits up to a second for them): a request
        // stuck on an unreachable server must not hold Ctrl+C or SIGTERM back.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
        await _app.StopAsync(deadline.Token);
        await _app.DisposeAsync();
    }

    /// <summary>Cancels its requests when the app stops.</summary>
    private sealed class EndsWhenStopping(CancellationToken stopping) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            return await base.SendAsync(request, linked.Token);
        }
    }

    private static async Task<IResult> GetProfileAsync(ClaimsPrincipal user, IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        var downstream = clients.CreateClient(DownstreamClient);
        try
        {
            using var answer = await downstream.GetAsync(downstream.BaseAddress, cancellationToken);
            var body = await answer.Content.ReadAsStringAsync(cancellationToken);
            return answer.IsSuccessStatusCode
                ? Results.Json(new Profile(user.FindFirstValue("sub"), body))
                : Results.Problem($"The downstream API answered {(int)answer.StatusCode}.", statusCode: StatusCodes.Status502BadGateway);
        }
        catch (TokenRequestException ex)
        {
            // The exchange was refused: the caller learns the OAuth error, never a token.
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status502BadGateway);
        }
        catch (HttpRequestException ex)
        {
            return Results.Problem($"The downstream API could not be reached: {ex.Message}", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
