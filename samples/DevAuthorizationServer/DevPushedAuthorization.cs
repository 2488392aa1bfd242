using System.Collections.Concurrent;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OAuthClient.Samples;

/// <summary>
/// Pushed authorization requests (RFC 9126) through OpenIddict's own endpoint. OpenIddict stores the pushed parameters in a
/// request token and answers its <c>request_uri</c>; the authorization endpoint restores them. With a database OpenIddict
/// would also redeem the token once; degraded mode has no token entries, so this class remembers the used request URIs.
/// </summary>
internal sealed class DevPushedAuthorization(DevAuthorizationServerOptions options)
{
    public const string PushedAuthorizationPath = "connect/par";

    // RFC 9126 §2.2: a short lifetime; 60 seconds is the example value.
    private static readonly TimeSpan RequestUriLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, byte> _used = new(StringComparer.Ordinal);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Use(OpenIddictServerBuilder server)
    {
        server.SetPushedAuthorizationEndpointUris(PushedAuthorizationPath);
        server.Configure(o => o.RequestTokenLifetime = RequestUriLifetime);
        if (options.RequirePushedAuthorizationRequests)
        {
            server.RequirePushedAuthorizationRequests();
        }

        server.AddEventHandler<ValidatePushedAuthorizationRequestContext>(h => h.UseInlineHandler(ValidatePushedAuthorizationRequest));
        server.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(RedeemRequestUriOnce).SetOrder(int.MaxValue - 1));

        // OpenIddict counts expires_in down from the token's expiry, which a few milliseconds later reads 59: say the lifetime.
        server.AddEventHandler<ApplyPushedAuthorizationResponseContext>(h => h.UseInlineHandler(static context =>
        {
            if (context.Response.RequestUri is { Length: > 0 })
            {
                context.Response.ExpiresIn = (long)RequestUriLifetime.TotalSeconds;
            }

            return default;
        }));
    }

    private ValueTask ValidatePushedAuthorizationRequest(ValidatePushedAuthorizationRequestContext context)
    {
        Interlocked.Increment(ref _count);
        if (!string.IsNullOrEmpty(context.Request.ClientSecret))
        {
            context.Reject(Errors.InvalidClient, "A public client sends no secret.");
            return default;
        }

        var error = DevServerHandlers.CheckAuthorizationRequest(context.Request);
        if (error is { } e)
        {
            context.Reject(e.Error, e.Description);
        }

        return default;
    }

    private ValueTask RedeemRequestUriOnce(ValidateAuthorizationRequestContext context)
    {
        // OpenIddict has checked the request token (signature, lifetime, client) by now; here it is made single-use.
        if (!context.IsRejected && context.Request.RequestUri is { Length: > 0 } requestUri && !_used.TryAdd(requestUri, 0))
        {
            context.Reject(Errors.InvalidRequest, "The request_uri has already been used.");
        }

        return default;
    }
}
