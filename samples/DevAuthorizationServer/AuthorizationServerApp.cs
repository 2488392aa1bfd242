using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OAuthClient.Samples;

/// <summary>
/// Builds the OpenIddict authorization server. It runs in degraded mode: no database, the clients are the
/// fixed ones of <see cref="DevClients"/>, checked by <see cref="DevServerHandlers"/>.
/// </summary>
internal static class AuthorizationServerApp
{
    public const string TokenPath = "connect/token";
    public const string AuthorizationPath = "connect/authorize";

    public static WebApplication Build(DevAuthorizationServerOptions options, int port, SecurityKey signingKey, SecurityKey encryptionKey, TokenLedger ledger)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AuthorizationServerApp).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        InMemoryXmlRepository.Use(builder.Services);
        if (options.ConfigureLogging is { } configureLogging)
        {
            configureLogging(builder.Logging);
        }

        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.EnableDegradedMode();
            server.SetTokenEndpointUris(TokenPath).SetAuthorizationEndpointUris(AuthorizationPath);
            server.AllowClientCredentialsFlow().AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
            server.RequireProofKeyForCodeExchange();
            server.RegisterScopes(DevClients.ApiReadScope, DevClients.ApiWriteScope, Scopes.OfflineAccess);
            server.SetAccessTokenLifetime(options.AccessTokenLifetime);
            server.AddSigningKey(signingKey).AddEncryptionKey(encryptionKey).DisableAccessTokenEncryption();
            server.UseAspNetCore().DisableTransportSecurityRequirement();
            server.Configure(o =>
            {
                o.TimeProvider = options.TimeProvider;
                o.CodeChallengeMethods.Clear();
                o.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
            });

            server.AddEventHandler<ExtractTokenRequestContext>(h => h
                .UseInlineHandler(context =>
                {
                    ledger.CountTokenRequest(context.Request?.ClientId);
                    return default;
                })
                .SetOrder(int.MaxValue - 1));
            server.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(DevServerHandlers.ValidateTokenRequest));
            server.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(DevServerHandlers.ValidateAuthorizationRequest));
            server.AddEventHandler<HandleTokenRequestContext>(h => h.UseInlineHandler(DevServerHandlers.HandleClientCredentials));
            server.AddEventHandler<HandleAuthorizationRequestContext>(h => h.UseInlineHandler(DevServerHandlers.SignInTestUser));
            server.AddEventHandler<ApplyTokenResponseContext>(h => h.UseInlineHandler(context =>
            {
                if (context.Response.AccessToken is { Length: > 0 } token)
                {
                    ledger.Issued(token);
                }

                return default;
            }));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/dev/token-requests", () => Results.Json(ledger.AllTokenRequests()));
        return app;
    }
}
