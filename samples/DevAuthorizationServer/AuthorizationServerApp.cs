using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
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

    public static WebApplication Build(
        DevAuthorizationServerOptions options, int port, SecurityKey signingKey, SecurityKey encryptionKey, TokenLedger ledger, SecurityKey keyClientKey, DevDpop dpop, DevDeviceFlow deviceFlow, DevPushedAuthorization pushedAuthorization, DevRevocation revocation)
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
            server.RegisterScopes(DevClients.ApiReadScope, DevClients.ApiWriteScope, DevClients.DownstreamReadScope, Scopes.OfflineAccess);
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
                    ledger.CountTokenRequest(context.Request?.ClientId, context.Request?.IsTokenExchangeGrantType() == true);
                    return default;
                })
                .SetOrder(int.MaxValue - 1));
            server.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(DevServerHandlers.ValidateTokenRequest));
            DevTokenExchange.Use(server);
            deviceFlow.Use(server);
            pushedAuthorization.Use(server);
            revocation.Use(server);

            // private_key_jwt: degraded mode has no application store, so the key client's public key is supplied here.
            server.AddEventHandler<ValidateTokenContext>(h => h
                .UseInlineHandler(context =>
                {
                    if (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion) && DevClients.IsKeyClient(context.Request?.ClientId))
                    {
                        context.TokenValidationParameters.IssuerSigningKeys = [keyClientKey];
                    }

                    return default;
                })
                .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1));

            // RFC 9449 §6.1: OpenIddict keeps cnf for its own (mTLS) use, so the DPoP binding is written into the JWT here.
            server.AddEventHandler<GenerateTokenContext>(h => h
                .UseInlineHandler(context =>
                {
                    if (context.TokenType == TokenTypeIdentifiers.AccessToken
                        && context.Transaction.Properties.TryGetValue(DevServerHandlers.DpopJktProperty, out var jkt) && jkt is string thumbprint)
                    {
                        context.SecurityTokenDescriptor.Claims ??= new Dictionary<string, object>(StringComparer.Ordinal);
                        context.SecurityTokenDescriptor.Claims["cnf"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["jkt"] = thumbprint };
                    }

                    return default;
                })
                .SetOrder(OpenIddictServerHandlers.Protection.GenerateIdentityModelToken.Descriptor.Order - 1));

            // DPoP, which OpenIddict 7.8 lacks: a request with a proof gets a token bound to the proof's key.
            server.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                var http = context.Transaction.GetHttpRequest()!;
                if (http.Headers.ContainsKey(DevDpop.HeaderName) && !context.IsRejected)
                {
                    var (jkt, error) = dpop.Validate(http, accessToken: null);
                    if (error is not null)
                    {
                        context.Reject(error, error == DevDpop.UseNonce ? "Authorization server requires nonce in DPoP proof." : "The DPoP proof is not valid.");
                    }
                    else
                    {
                        context.Transaction.Properties[DevServerHandlers.DpopJktProperty] = jkt;
                    }
                }

                return default;
            }).SetOrder(int.MaxValue - 2));
            server.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(DevServerHandlers.ValidateAuthorizationRequest));
            server.AddEventHandler<HandleTokenRequestContext>(h => h.UseInlineHandler(DevServerHandlers.HandleClientCredentials));
            server.AddEventHandler<HandleAuthorizationRequestContext>(h => h.UseInlineHandler(DevServerHandlers.SignInTestUser));
            server.AddEventHandler<ApplyTokenResponseContext>(h => h.UseInlineHandler(context =>
            {
                if (context.Response.AccessToken is { Length: > 0 } token)
                {
                    ledger.Issued(token);
                    if (context.Transaction.Properties.ContainsKey(DevServerHandlers.DpopJktProperty))
                    {
                        context.Response.TokenType = DevDpop.HeaderName;
                    }
                }

                if (options.RequireDpopNonce)
                {
                    context.Transaction.GetHttpRequest()!.HttpContext.Response.Headers[DevDpop.NonceHeaderName] = dpop.Nonce;
                }

                return default;
            }));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/dev/token-requests", () => Results.Json(ledger.AllTokenRequests()));
        app.MapGet("/dev/token-exchange-requests", () => Results.Json(ledger.AllTokenExchangeRequests()));
        return app;
    }
}
