using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using Revocation = OpenIddict.Server.OpenIddictServerHandlers.Revocation;

namespace OAuthClient.Samples;

/// <summary>
/// Token revocation (RFC 7009) through OpenIddict's own endpoint. OpenIddict reads the request and validates the token as one
/// of this server's access or refresh tokens; with a database it would also authenticate the client and mark the token's
/// entry revoked. Degraded mode has neither, so this class authenticates the client as the token endpoint does, and records
/// the revoked tokens' fingerprints in the <see cref="TokenLedger"/>: the token endpoint and the APIs then refuse them.
/// </summary>
internal sealed class DevRevocation(TokenLedger ledger)
{
    public const string RevocationPath = "connect/revoke";

    private int _count;

    /// <summary>Gets how many tokens were revoked: each once, however often it was sent.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Use(OpenIddictServerBuilder server)
    {
        server.SetRevocationEndpointUris(RevocationPath);

        // RFC 7009 §2.1: the client is authenticated first, before OpenIddict looks at the token, so a wrong secret is
        // 401 invalid_client whatever the token; a bad token is then answered 200 (OpenIddict empties invalid_token, §2.2).
        server.AddEventHandler<ValidateRevocationRequestContext>(h => h
            .UseInlineHandler(static context =>
            {
                if (DevServerHandlers.AuthenticateClient(context.Request) is { } error)
                {
                    context.Reject(error.Error, error.Description);
                }

                return default;
            })
            .SetOrder(Revocation.ValidateAuthentication.Descriptor.Order - 1));
        server.AddEventHandler<HandleRevocationRequestContext>(h => h.UseInlineHandler(Revoke));

        // A revoked token is refused wherever the server validates one: a refresh (invalid_grant), a token exchange's subject
        // or actor token (invalid_grant), the revocation endpoint itself (invalid_token, answered 200).
        server.AddEventHandler<ValidateTokenContext>(h => h
            .UseInlineHandler(RefuseRevoked)
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order - 1));
    }

    private ValueTask Revoke(HandleRevocationRequestContext context)
    {
        // OpenIddict has checked the token (signature, expiry, an access or refresh token of this server) and that the client
        // is its presenter or, for an access token, its audience. RFC 7009 §2.1 lets only the client the token was issued to
        // revoke it: an API among the audiences may not. Refused as invalid_token, which the client sees as 200, unrevoked.
        var principal = context.GenericTokenPrincipal!;
        var clientId = context.Request.ClientId;
        if (!string.Equals(principal.GetClaim(Claims.ClientId), clientId, StringComparison.Ordinal) && !principal.HasPresenter(clientId!))
        {
            context.Reject(Errors.InvalidToken, "The token was issued to another client.");
            return default;
        }

        if (ledger.Revoke(context.Request.Token!))
        {
            Interlocked.Increment(ref _count);
        }

        return default;
    }

    private ValueTask RefuseRevoked(ValidateTokenContext context)
    {
        if (context.Token is { Length: > 0 } token
            && (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.RefreshToken) || context.ValidTokenTypes.Contains(TokenTypeIdentifiers.AccessToken))
            && ledger.IsRevoked(token))
        {
            context.Reject(
                context.EndpointType == OpenIddictServerEndpointType.Token ? Errors.InvalidGrant : Errors.InvalidToken,
                "The token was revoked.");
        }

        return default;
    }
}
