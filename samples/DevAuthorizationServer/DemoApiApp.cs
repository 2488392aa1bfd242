using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace OAuthClient.Samples;

/// <summary>
/// Builds the demo protected API: its own Kestrel app and origin, which validates the server's JWTs the way a
/// real resource server does, through the issuer's discovery document and JWKS over HTTP.
/// </summary>
internal static class DemoApiApp
{
    private const string DpopRequest = "dev:dpop";
    private const string DpopError = "dev:dpop_error";

    public static WebApplication Build(DevAuthorizationServerOptions options, int port, Uri issuer, TokenLedger ledger, DevDpop dpop)
    {
        var app = BuildProtectedApi(options, port, issuer, ledger, dpop, DevClients.ApiAudience);
        app.MapGet("/whoami", (ClaimsPrincipal user) => Results.Json(new WhoAmI(
            user.FindFirst("client_id")?.Value,
            user.FindFirst("sub")?.Value,
            [.. user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal)])))
            .RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Builds an API app that accepts only this server's tokens for <paramref name="audience"/> (expiry on the server's
    /// clock, revocation, DPoP binding), with authentication and authorization in place and no endpoints yet.
    /// </summary>
    public static WebApplication BuildProtectedApi(DevAuthorizationServerOptions options, int port, Uri issuer, TokenLedger ledger, DevDpop dpop, string audience)
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
            jwt.Audience = audience;
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
                OnMessageReceived = context =>
                {
                    // RFC 9449 §7.1: a DPoP-bound token comes with the DPoP scheme, which JwtBearer does not read itself.
                    var authorization = context.Request.Headers.Authorization.ToString();
                    if (authorization.StartsWith(DevDpop.HeaderName + " ", StringComparison.OrdinalIgnoreCase))
                    {
                        context.Token = authorization[(DevDpop.HeaderName.Length + 1)..].Trim();
                        context.HttpContext.Items[DpopRequest] = true;
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    if (context.SecurityToken is JsonWebToken token && ledger.IsRevoked(token.EncodedToken))
                    {
                        context.Fail("The access token was revoked.");
                    }
                    else if (context.SecurityToken is JsonWebToken bound)
                    {
                        CheckDpop(context, bound, dpop);
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    if (context.HttpContext.Items.ContainsKey(DpopRequest))
                    {
                        // A DPoP request is refused with a DPoP challenge, and the nonce when that is what is missing (RFC 9449 §9).
                        var error = context.HttpContext.Items[DpopError] as string ?? "invalid_token";
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = $"{DevDpop.HeaderName} error=\"{error}\", algs=\"ES256 PS256 RS256\"";
                        if (error == DevDpop.UseNonce)
                        {
                            context.Response.Headers[DevDpop.NonceHeaderName] = dpop.Nonce;
                        }

                        ledger.CountUnauthorized();
                        return Task.CompletedTask;
                    }

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
        return app;
    }

    // The token's cnf.jkt must match the key of a valid proof for this very request; a bound token sent as Bearer is refused.
    private static void CheckDpop(TokenValidatedContext context, JsonWebToken token, DevDpop dpop)
    {
        var jkt = token.TryGetPayloadValue<JsonElement>("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object
            && cnf.TryGetProperty("jkt", out var value) ? value.GetString() : null;
        var isDpop = context.HttpContext.Items.ContainsKey(DpopRequest);
        if (!isDpop)
        {
            if (jkt is not null)
            {
                context.Fail("A DPoP-bound token was sent as a Bearer token.");
            }

            return;
        }

        if (jkt is null)
        {
            context.Fail("A token that is not DPoP-bound was sent with the DPoP scheme.");
            return;
        }

        var (proofJkt, error) = dpop.Validate(context.Request, token.EncodedToken);
        if (error is not null || !string.Equals(proofJkt, jkt, StringComparison.Ordinal))
        {
            context.HttpContext.Items[DpopError] = error ?? "invalid_dpop_proof";
            context.Fail("The DPoP proof is missing, invalid, or made with another key.");
        }
    }
}
