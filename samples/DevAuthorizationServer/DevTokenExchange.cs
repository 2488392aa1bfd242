using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using Exchange = OpenIddict.Server.OpenIddictServerHandlers.Exchange;

namespace OAuthClient.Samples;

/// <summary>
/// OAuth 2.0 Token Exchange (RFC 8693) through OpenIddict's own support: OpenIddict checks the parameters, the
/// <c>audience</c> and <c>resource</c> against those registered (<c>invalid_target</c>), and validates the subject and
/// actor tokens as tokens of this server (signature, issuer, <c>at+jwt</c> type, expiry) that were issued to the
/// exchanging client (audience or presenter). Degraded mode leaves the rest to the application: who may exchange, and
/// what the new token says.
/// </summary>
internal static class DevTokenExchange
{
    private const string ActorClaim = "act";

    public static void Use(OpenIddictServerBuilder server)
    {
        server.AllowTokenExchangeFlow();
        server.RegisterAudiences(DevClients.DownstreamAudience);
        server.RegisterResources(DevClients.DownstreamResource);
        server.Configure(o =>
        {
            // Only access tokens are exchanged here, as subject and as actor; OpenIddict also takes id and refresh tokens.
            o.SubjectTokenTypes.Clear();
            o.SubjectTokenTypes.Add(TokenTypeIdentifiers.AccessToken);
            o.ActorTokenTypes.Clear();
            o.ActorTokenTypes.Add(TokenTypeIdentifiers.AccessToken);
        });

        // The client is authenticated and allowed before OpenIddict looks at the target or the tokens, so a caller that
        // may not exchange learns nothing about them (unauthorized_client or invalid_client, whatever it sent).
        server.AddEventHandler<ValidateTokenRequestContext>(h => h
            .UseInlineHandler(context => context.Request.IsTokenExchangeGrantType() ? DevServerHandlers.ValidateTokenRequest(context) : default)
            .SetOrder(Exchange.ValidateScopes.Descriptor.Order - 1));
        server.AddEventHandler<ValidateTokenRequestContext>(h => h
            .UseInlineHandler(AcceptAliasAsServiceClient)
            .SetOrder(Exchange.ValidateAuthorizedParty.Descriptor.Order - 1));
        server.AddEventHandler<HandleTokenRequestContext>(h => h.UseInlineHandler(Issue));
    }

    // OpenIddict lets a client exchange a token only if the token names it as audience or presenter. A front-api.<suffix>
    // alias is the service client under a name of its own, so a token meant for front-api is meant for the alias too.
    private static ValueTask AcceptAliasAsServiceClient(ValidateTokenRequestContext context)
    {
        var clientId = context.Request.ClientId;
        if (context.Request.IsTokenExchangeGrantType() && DevClients.IsServiceClient(clientId) && clientId != DevClients.ServiceClientId)
        {
            foreach (var token in (ReadOnlySpan<ClaimsPrincipal?>)[context.SubjectTokenPrincipal, context.ActorTokenPrincipal])
            {
                if (token is not null && (token.HasAudience(DevClients.ServiceClientId) || token.HasPresenter(DevClients.ServiceClientId)))
                {
                    token.SetPresenters([.. token.GetPresenters(), clientId!]);
                }
            }
        }

        return default;
    }

    private static ValueTask Issue(HandleTokenRequestContext context)
    {
        if (!context.Request.IsTokenExchangeGrantType())
        {
            return default;
        }

        var subjectToken = context.SubjectTokenPrincipal!;
        if (subjectToken.GetClaim(Claims.Subject) is not { Length: > 0 } subject)
        {
            context.Reject(Errors.InvalidGrant, "The subject token names no subject.");
            return default;
        }

        // OpenIddict has accepted only registered targets, and the downstream API is the one registered.
        var principal = DevServerHandlers.CreatePrincipal(subject, context.Request.ClientId!, context.Request.GetScopes(), [DevClients.DownstreamAudience]);
        if (Actor(context.ActorTokenPrincipal, subjectToken.GetClaim(ActorClaim)) is { } act)
        {
            principal.SetClaim(ActorClaim, act).SetDestinations(static _ => [Destinations.AccessToken]);
        }

        principal.SetAccessTokenLifetime(Lifetime(context.Options, subjectToken));
        context.SignIn(principal);
        return default;
    }

    // RFC 8693 §4.1: act names the current actor; the acts already in the subject token, the earlier actors, nest inside it.
    private static JsonObject? Actor(ClaimsPrincipal? actorToken, string? priorAct)
    {
        var prior = priorAct is null ? null : JsonNode.Parse(priorAct) as JsonObject;
        if (actorToken is null)
        {
            return prior;
        }

        var act = new JsonObject { ["sub"] = actorToken.GetClaim(Claims.Subject) ?? actorToken.GetClaim(Claims.ClientId) };
        if (prior is not null)
        {
            act[ActorClaim] = prior;
        }

        return act;
    }

    // The server's access token lifetime, but never past the subject token's own expiry.
    private static TimeSpan? Lifetime(OpenIddictServerOptions options, ClaimsPrincipal subjectToken)
    {
        var lifetime = options.AccessTokenLifetime;
        if (subjectToken.GetExpirationDate() is { } expires)
        {
            var left = expires - options.TimeProvider.GetUtcNow();
            if (lifetime is null || left < lifetime)
            {
                lifetime = left;
            }
        }

        return lifetime;
    }
}
