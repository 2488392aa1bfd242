using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace OAuthClient.Samples;

/// <summary>
/// Builds the demo protected API: its own Kestrel app and origin, which validates the server's JWTs the way a
/// real resource server does, through the issuer's discovery document and JWKS over HTTP.
/// </summary>
internal static class DemoApiApp
{
    public static WebApplication Build(DevAuthorizationServerOptions options, int port, Uri issuer, TokenLedger ledger)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(DemoApiApp).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        InMemoryXmlRepository.Use(builder.Services);
        if (options.ConfigureLogging is { } configureLogging)
        {
            configureLogging(builder.Logging);
        }

        var time = options.TimeProvider;
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.Authority = issuer.AbsoluteUri;
            jwt.Audience = DevClients.ApiAudience;
            jwt.RequireHttpsMetadata = false;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.NameClaimType = "sub";
            jwt.TokenValidationParameters.ClockSkew = TimeSpan.Zero;
            // Expiry is checked against the server's clock, so tests can make a token expire without waiting.
            jwt.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now) && expires is not null && now < expires;
            };
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (context.SecurityToken is JsonWebToken token && ledger.IsRevoked(token.EncodedToken))
                    {
                        context.Fail("The access token was revoked.");
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    // RFC 6750 §3.1: invalid_token covers missing, expired, revoked and malformed tokens alike here.
                    if (string.IsNullOrEmpty(context.Error))
                    {
                        context.Error = "invalid_token";
                        context.ErrorDescription ??= context.AuthenticateFailure is null ? "No access token was sent." : "The access token is not valid.";
                    }

                    ledger.CountUnauthorized();
                    return Task.CompletedTask;
                },
            };
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (ClaimsPrincipal user) => Results.Json(new WhoAmI(
            user.FindFirst("client_id")?.Value,
            user.FindFirst("sub")?.Value,
            [.. user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal)])))
            .RequireAuthorization();
        return app;
    }
}
